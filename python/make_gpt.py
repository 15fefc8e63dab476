#!/usr/bin/python3
"""Build a GPT-3-shaped ONNX graph of any size whose weights cost no disk.

The graph is written with onnx.helper only (no torch), modelled on
make_llama70b.py, with fully static shapes.  Every weight is a bf16
initializer stored as external data in DIR/weights.bin, back to back at
4096-byte-aligned offsets.  weights.bin is created sparse (its size is set
with truncate, no weight byte is ever written), so the ~350 GB of GPT-3 175B
take no disk space: the weights read back as zeros.  The model is for the
compiler's import / partition / planning paths and for scaling benchmarks,
not for numerics.

Architecture (GPT-2 / GPT-3, pre-LayerNorm), per layer:
    x = x + attn(LayerNorm(x));  x = x + mlp(LayerNorm(x))
attention: separate Q, K, V MatMul + bias ([hidden, hidden] each), heads
split with Reshape/Transpose, softmax(Q K^T / sqrt(head_dim) + causal mask) V,
output MatMul + bias; mlp: MatMul + bias to ffn, exact (Erf) GELU written out
as Div/Erf/Add/Mul/Mul, MatMul + bias back to hidden.  LayerNormalization
(opset 17) with scale and bias.  Embeddings: token Gather from wte
[vocab, hidden] plus a Gather of learned positions wpe [seq, hidden] with a
constant position-id tensor.  Final LayerNorm, then an lm_head MatMul.

The lm_head weight [hidden, vocab] is a separate, untied weight (GPT-3 ties
it to wte), which keeps the graph simple; it adds vocab*hidden parameters
(0.63 B at the 175B shape) to the count printed.  Dense attention in every
layer (GPT-3 alternates dense and locally banded sparse layers; the shapes
are the same).

Small constants stay inline in model.onnx and are shared by all layers:
shape tensors, scalars, position ids and the causal mask
([1,1,seq,seq] bf16, 8 MiB at seq 2048).

Weight names follow Hugging Face's Llama-style layout
("model.layers.N.self_attn.q_proj.weight", ...); MatMul weights are stored
[in, out].  Node names are "/model/layers.N/...", so the compiler groups ops
by layer from the "layers.N" path component.

Presets:
    # GPT-3 175B (the defaults): 96 layers, hidden 12288, 96 heads
    /usr/bin/python3 python/make_gpt.py --out /tmp/gpt3-175b
    # 530B (Megatron-Turing NLG shape): 105 layers, hidden 20480, 128 heads
    /usr/bin/python3 python/make_gpt.py --out /tmp/gpt-530b --layers 105 --hidden 20480 --heads 128
    # 1T (Narayanan et al. 2021): 128 layers, hidden 25600, 160 heads
    /usr/bin/python3 python/make_gpt.py --out /tmp/gpt-1t --layers 128 --hidden 25600 --heads 160
    # small, for tests
    /usr/bin/python3 python/make_gpt.py --out /tmp/gpt-small --layers 2 --hidden 256 --heads 4 \\
        --vocab 1000 --seq 32 --batch 2
"""

import argparse
import math
import os
import time

import numpy as np

from sparse_graph import BF16_MIN, Builder, check, lm_model, save


def layer_norm(b, x, shape, wname, scope, eps):
    w = b.weight(f"{wname}.weight", [shape[-1]])
    bias = b.weight(f"{wname}.bias", [shape[-1]])
    return b.op("LayerNormalization", [x, w, bias], shape, f"{scope}/LayerNormalization",
                axis=-1, epsilon=eps)


def linear(b, x, in_shape, out_dim, wname, scope):
    """x @ W[in, out] + b[out], as a constant-folded torch export gives it."""
    shape = in_shape[:-1] + [out_dim]
    w = b.weight(f"{wname}.weight", [in_shape[-1], out_dim])
    bias = b.weight(f"{wname}.bias", [out_dim])
    mm = b.op("MatMul", [x, w], shape, f"{scope}/MatMul")
    return b.op("Add", [bias, mm], shape, f"{scope}/Add")


def gelu(b, x, shape, scope, c):
    # 0.5 * x * (1 + erf(x / sqrt(2))): the Div/Erf/Add/Mul/Mul chain torch
    # exports for F.gelu below opset 20.
    d = b.op("Div", [x, c["sqrt2"]], shape, f"{scope}/Div")
    e = b.op("Erf", [d], shape, f"{scope}/Erf")
    a = b.op("Add", [e, c["one"]], shape, f"{scope}/Add")
    m = b.op("Mul", [x, a], shape, f"{scope}/Mul")
    return b.op("Mul", [m, c["half"]], shape, f"{scope}/Mul_1")


def layer(b, x, i, cfg, c):
    B, S, Hd, D = cfg["batch"], cfg["seq"], cfg["hidden"], cfg["head_dim"]
    H, F, eps = cfg["heads"], cfg["ffn"], cfg["eps"]
    p, s = f"model.layers.{i}", f"/model/layers.{i}"
    hid = [B, S, Hd]

    h = layer_norm(b, x, hid, f"{p}.input_layernorm", f"{s}/input_layernorm", eps)
    a = f"{s}/self_attn"
    q = linear(b, h, hid, Hd, f"{p}.self_attn.q_proj", f"{a}/q_proj")
    k = linear(b, h, hid, Hd, f"{p}.self_attn.k_proj", f"{a}/k_proj")
    v = linear(b, h, hid, Hd, f"{p}.self_attn.v_proj", f"{a}/v_proj")
    q = b.op("Reshape", [q, c["heads_shape"]], [B, S, H, D], f"{a}/Reshape")
    q = b.op("Transpose", [q], [B, H, S, D], f"{a}/Transpose", perm=[0, 2, 1, 3])
    k = b.op("Reshape", [k, c["heads_shape"]], [B, S, H, D], f"{a}/Reshape_1")
    k = b.op("Transpose", [k], [B, H, S, D], f"{a}/Transpose_1", perm=[0, 2, 1, 3])
    v = b.op("Reshape", [v, c["heads_shape"]], [B, S, H, D], f"{a}/Reshape_2")
    v = b.op("Transpose", [v], [B, H, S, D], f"{a}/Transpose_2", perm=[0, 2, 1, 3])
    kt = b.op("Transpose", [k], [B, H, D, S], f"{a}/Transpose_3", perm=[0, 1, 3, 2])
    sc = b.op("MatMul", [q, kt], [B, H, S, S], f"{a}/MatMul")
    sc = b.op("Div", [sc, c["sqrt_d"]], [B, H, S, S], f"{a}/Div")
    sc = b.op("Add", [sc, c["mask"]], [B, H, S, S], f"{a}/Add")
    pr = b.op("Softmax", [sc], [B, H, S, S], f"{a}/Softmax", axis=-1)
    ctx = b.op("MatMul", [pr, v], [B, H, S, D], f"{a}/MatMul_1")
    ctx = b.op("Transpose", [ctx], [B, S, H, D], f"{a}/Transpose_4", perm=[0, 2, 1, 3])
    ctx = b.op("Reshape", [ctx, c["hidden_shape"]], hid, f"{a}/Reshape_3")
    o = linear(b, ctx, hid, Hd, f"{p}.self_attn.o_proj", f"{a}/o_proj")
    x = b.op("Add", [x, o], hid, f"{s}/Add")

    h = layer_norm(b, x, hid, f"{p}.post_attention_layernorm", f"{s}/post_attention_layernorm", eps)
    m = f"{s}/mlp"
    u = linear(b, h, hid, F, f"{p}.mlp.fc_in", f"{m}/fc_in")
    u = gelu(b, u, [B, S, F], f"{m}/act", c)
    d = linear(b, u, [B, S, F], Hd, f"{p}.mlp.fc_out", f"{m}/fc_out")
    return b.op("Add", [x, d], hid, f"{s}/Add_1")


def shared_constants(b, cfg):
    B, S, Hd, D, H = cfg["batch"], cfg["seq"], cfg["hidden"], cfg["head_dim"], cfg["heads"]
    mask = np.triu(np.full((S, S), BF16_MIN, dtype=np.float32), k=1).reshape(1, 1, S, S)
    return dict(
        one=b.const_bf16("const.one", 1.0),
        half=b.const_bf16("const.half", 0.5),
        sqrt2=b.const_bf16("const.sqrt2", math.sqrt(2.0)),
        sqrt_d=b.const_bf16("const.attn_sqrt_head_dim", math.sqrt(D)),
        mask=b.const_bf16("const.causal_mask", mask),
        heads_shape=b.const_i64("const.heads_shape", [B, S, H, D]),
        hidden_shape=b.const_i64("const.hidden_shape", [B, S, Hd]),
        position_ids=b.const_i64("const.position_ids", np.arange(S, dtype=np.int64).reshape(1, S)),
    )


def build(cfg, out_dir):
    b = Builder(out_dir)
    B, S, Hd, V = cfg["batch"], cfg["seq"], cfg["hidden"], cfg["vocab"]
    c = shared_constants(b, cfg)
    tok = b.op("Gather", [b.weight("model.embed_tokens.weight", [V, Hd]), "input_ids"],
               [B, S, Hd], "/model/embed_tokens/Gather")
    pos = b.op("Gather", [b.weight("model.embed_positions.weight", [S, Hd]), c["position_ids"]],
               [1, S, Hd], "/model/embed_positions/Gather")
    x = b.op("Add", [tok, pos], [B, S, Hd], "/model/Add")
    for i in range(cfg["layers"]):
        x = layer(b, x, i, cfg, c)
    x = layer_norm(b, x, [B, S, Hd], "model.norm", "/model/norm", cfg["eps"])
    b.op("MatMul", [x, b.weight("lm_head.weight", [Hd, V])], [B, S, V], "/lm_head/MatMul", out="logits")

    return lm_model(b, "gpt", "pp/make_gpt.py", B, S, V), b


def fmt_params(n):
    return f"{n / 1e9:.1f} B" if n >= 1e9 else f"{n / 1e6:.1f} M"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--layers", type=int, default=96)
    ap.add_argument("--hidden", type=int, default=12288)
    ap.add_argument("--heads", type=int, default=96)
    ap.add_argument("--ffn", type=int, default=None, help="MLP width (default 4*hidden)")
    ap.add_argument("--vocab", type=int, default=51200)
    ap.add_argument("--seq", type=int, default=2048)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--check", action="store_true",
                    help="also run onnx.checker and strict shape inference (slow for many layers)")
    a = ap.parse_args()
    if a.ffn is None:
        a.ffn = 4 * a.hidden
    if a.hidden % a.heads:
        raise SystemExit("need hidden % heads == 0")
    if min(a.layers, a.hidden, a.heads, a.ffn, a.vocab, a.seq, a.batch) < 1:
        raise SystemExit("sizes must be positive")

    t0 = time.time()
    cfg = dict(layers=a.layers, hidden=a.hidden, heads=a.heads, head_dim=a.hidden // a.heads,
               ffn=a.ffn, vocab=a.vocab, batch=a.batch, seq=a.seq, eps=1e-5,
               tied=False, dtype="bfloat16")
    os.makedirs(a.out, exist_ok=True)
    model, b = build(cfg, a.out)

    onnx_path, weights_path, counts = save(a.out, model, b, "gpt", cfg)
    elapsed = time.time() - t0

    if a.check:
        check(onnx_path, model)

    st = os.stat(weights_path)
    ops = " ".join(f"{k}x{v}" for k, v in sorted(counts.items()))
    print(f"GPT: {a.layers} layers, hidden {a.hidden}, heads {a.heads}, ffn {a.ffn}, vocab {a.vocab}, "
          f"seq {a.seq}, batch {a.batch}, {fmt_params(b.params)} parameters ({b.params}), "
          f"{len(model.graph.node)} nodes, {len(b.weight_table)} external weights, "
          f"model.onnx {os.path.getsize(onnx_path) / 2**20:.1f} MiB, "
          f"weights.bin {st.st_size / 1e9:.1f} GB logical / {st.st_blocks * 512 / 2**20:.1f} MiB on disk, "
          f"{elapsed:.2f}s")
    print(f"ops: {ops}")


if __name__ == "__main__":
    main()
