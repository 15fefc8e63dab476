#!/usr/bin/python3
"""Build a Llama-70B-shaped ONNX graph whose weights cost no disk.

The graph is written with onnx.helper only (no torch) and follows the op
pattern a torch export of Llama gives, with fully static shapes.  Every
weight is a bf16 initializer stored as external data in DIR/weights.bin,
back to back at 4096-byte-aligned offsets.  weights.bin is created sparse
(its size is set with truncate, no weight byte is ever written), so ~141 GB
of logical size takes no disk space: the weights read back as zeros.  The
model is for the compiler's import / partition / planning paths and for
scaling benchmarks, not for numerics.

Small constants stay inline in model.onnx and are shared by all layers:
shape tensors, slice bounds, scalars, and the RoPE cos/sin tables and
causal mask ([1,1,seq,head_dim] / [1,1,seq,seq] bf16, 32 KiB each at seq 128).

Weight names follow Hugging Face; MatMul weights are stored [in, out]
(transposed from torch's nn.Linear [out, in]), as a constant-folded torch
export stores them.

    /usr/bin/python3 python/make_llama70b.py --out /tmp/llama70b            # 80 layers
    /usr/bin/python3 python/make_llama70b.py --out /tmp/llama70b-20 --layers 20
"""

import argparse
import math
import os
import time

import numpy as np

from sparse_graph import BF16_MIN, INT64_MAX, Builder, check, lm_model, save


def rms_norm(b, x, shape, weight, scope, c):
    # Pow/ReduceMean/Add/Sqrt/Div/Mul/Mul: what torch exports for
    # weight * (x * rsqrt(mean(x^2) + eps)).
    red = shape[:-1] + [1]
    p = b.op("Pow", [x, c["two"]], shape, f"{scope}/Pow")
    m = b.op("ReduceMean", [p], red, f"{scope}/ReduceMean", axes=[-1], keepdims=1)
    a = b.op("Add", [m, c["eps"]], red, f"{scope}/Add")
    s = b.op("Sqrt", [a], red, f"{scope}/Sqrt")
    r = b.op("Div", [c["one"], s], red, f"{scope}/Div")
    n = b.op("Mul", [x, r], shape, f"{scope}/Mul")
    return b.op("Mul", [weight, n], shape, f"{scope}/Mul_1")


def rope(b, x, shape, scope, c):
    # x*cos + rotate_half(x)*sin, rotate_half = cat(-x[..., h:], x[..., :h]).
    half = shape[:-1] + [shape[-1] // 2]
    xc = b.op("Mul", [x, c["cos"]], shape, f"{scope}/Mul")
    hi = b.op("Slice", [x, c["half"], c["i64max"], c["axis3"], c["step1"]], half, f"{scope}/Slice")
    ng = b.op("Neg", [hi], half, f"{scope}/Neg")
    lo = b.op("Slice", [x, c["zero"], c["half"], c["axis3"], c["step1"]], half, f"{scope}/Slice_1")
    rh = b.op("Concat", [ng, lo], shape, f"{scope}/Concat", axis=-1)
    rs = b.op("Mul", [rh, c["sin"]], shape, f"{scope}/Mul_1")
    return b.op("Add", [xc, rs], shape, f"{scope}/Add")


def repeat_kv(b, x, cfg, scope, c):
    # [B, kv, S, D] -> [B, kv, 1, S, D] -> expand [B, kv, rep, S, D] -> [B, H, S, D].
    B, S, D, kv, H = cfg["batch"], cfg["seq"], cfg["head_dim"], cfg["kv_heads"], cfg["heads"]
    u = b.op("Unsqueeze", [x, c["axis2"]], [B, kv, 1, S, D], f"{scope}/Unsqueeze")
    e = b.op("Expand", [u, c["rep_shape"]], [B, kv, H // kv, S, D], f"{scope}/Expand")
    return b.op("Reshape", [e, c["heads_shape"]], [B, H, S, D], f"{scope}/Reshape")


def layer(b, x, i, cfg, c):
    B, S, Hd, D = cfg["batch"], cfg["seq"], cfg["hidden"], cfg["head_dim"]
    H, KV, F = cfg["heads"], cfg["kv_heads"], cfg["ffn"]
    p, s = f"model.layers.{i}", f"/model/layers.{i}"
    hid = [B, S, Hd]

    h = rms_norm(b, x, hid, b.weight(f"{p}.input_layernorm.weight", [Hd]), f"{s}/input_layernorm", c)
    a = f"{s}/self_attn"
    q = b.op("MatMul", [h, b.weight(f"{p}.self_attn.q_proj.weight", [Hd, H * D])], [B, S, H * D], f"{a}/q_proj/MatMul")
    k = b.op("MatMul", [h, b.weight(f"{p}.self_attn.k_proj.weight", [Hd, KV * D])], [B, S, KV * D], f"{a}/k_proj/MatMul")
    v = b.op("MatMul", [h, b.weight(f"{p}.self_attn.v_proj.weight", [Hd, KV * D])], [B, S, KV * D], f"{a}/v_proj/MatMul")
    q = b.op("Reshape", [q, c["q_shape"]], [B, S, H, D], f"{a}/Reshape")
    q = b.op("Transpose", [q], [B, H, S, D], f"{a}/Transpose", perm=[0, 2, 1, 3])
    k = b.op("Reshape", [k, c["kv_shape"]], [B, S, KV, D], f"{a}/Reshape_1")
    k = b.op("Transpose", [k], [B, KV, S, D], f"{a}/Transpose_1", perm=[0, 2, 1, 3])
    v = b.op("Reshape", [v, c["kv_shape"]], [B, S, KV, D], f"{a}/Reshape_2")
    v = b.op("Transpose", [v], [B, KV, S, D], f"{a}/Transpose_2", perm=[0, 2, 1, 3])
    q = rope(b, q, [B, H, S, D], f"{a}/rope_q", c)
    k = rope(b, k, [B, KV, S, D], f"{a}/rope_k", c)
    k = repeat_kv(b, k, cfg, f"{a}/repeat_k", c)
    v = repeat_kv(b, v, cfg, f"{a}/repeat_v", c)
    kt = b.op("Transpose", [k], [B, H, D, S], f"{a}/Transpose_3", perm=[0, 1, 3, 2])
    sc = b.op("MatMul", [q, kt], [B, H, S, S], f"{a}/MatMul")
    sc = b.op("Mul", [sc, c["scale"]], [B, H, S, S], f"{a}/Mul")
    sc = b.op("Add", [sc, c["mask"]], [B, H, S, S], f"{a}/Add")
    pr = b.op("Softmax", [sc], [B, H, S, S], f"{a}/Softmax", axis=-1)
    ctx = b.op("MatMul", [pr, v], [B, H, S, D], f"{a}/MatMul_1")
    ctx = b.op("Transpose", [ctx], [B, S, H, D], f"{a}/Transpose_4", perm=[0, 2, 1, 3])
    ctx = b.op("Reshape", [ctx, c["attn_out_shape"]], [B, S, H * D], f"{a}/Reshape_3")
    o = b.op("MatMul", [ctx, b.weight(f"{p}.self_attn.o_proj.weight", [H * D, Hd])], hid, f"{a}/o_proj/MatMul")
    x = b.op("Add", [x, o], hid, f"{s}/Add")

    h = rms_norm(b, x, hid, b.weight(f"{p}.post_attention_layernorm.weight", [Hd]),
                 f"{s}/post_attention_layernorm", c)
    m = f"{s}/mlp"
    g = b.op("MatMul", [h, b.weight(f"{p}.mlp.gate_proj.weight", [Hd, F])], [B, S, F], f"{m}/gate_proj/MatMul")
    u = b.op("MatMul", [h, b.weight(f"{p}.mlp.up_proj.weight", [Hd, F])], [B, S, F], f"{m}/up_proj/MatMul")
    sg = b.op("Sigmoid", [g], [B, S, F], f"{m}/Sigmoid")
    g = b.op("Mul", [g, sg], [B, S, F], f"{m}/Mul")
    g = b.op("Mul", [g, u], [B, S, F], f"{m}/Mul_1")
    d = b.op("MatMul", [g, b.weight(f"{p}.mlp.down_proj.weight", [F, Hd])], hid, f"{m}/down_proj/MatMul")
    return b.op("Add", [x, d], hid, f"{s}/Add_1")


def shared_constants(b, cfg):
    B, S, Hd, D = cfg["batch"], cfg["seq"], cfg["hidden"], cfg["head_dim"]
    H, KV = cfg["heads"], cfg["kv_heads"]
    inv_freq = 1.0 / (cfg["rope_theta"] ** (np.arange(0, D, 2, dtype=np.float64) / D))
    ang = np.outer(np.arange(S, dtype=np.float64), inv_freq)
    ang = np.concatenate([ang, ang], axis=-1).reshape(1, 1, S, D)
    mask = np.triu(np.full((S, S), BF16_MIN, dtype=np.float32), k=1).reshape(1, 1, S, S)
    return dict(
        two=b.const_bf16("const.two", 2.0),
        eps=b.const_bf16("const.rms_eps", cfg["eps"]),
        one=b.const_bf16("const.one", 1.0),
        scale=b.const_bf16("const.attn_scale", 1.0 / math.sqrt(D)),
        cos=b.const_bf16("const.rope_cos", np.cos(ang)),
        sin=b.const_bf16("const.rope_sin", np.sin(ang)),
        mask=b.const_bf16("const.causal_mask", mask),
        q_shape=b.const_i64("const.q_shape", [B, S, H, D]),
        kv_shape=b.const_i64("const.kv_shape", [B, S, KV, D]),
        rep_shape=b.const_i64("const.kv_repeat_shape", [B, KV, H // KV, S, D]),
        heads_shape=b.const_i64("const.heads_shape", [B, H, S, D]),
        attn_out_shape=b.const_i64("const.attn_out_shape", [B, S, H * D]),
        zero=b.const_i64("const.slice_zero", [0]),
        half=b.const_i64("const.slice_half", [D // 2]),
        i64max=b.const_i64("const.slice_end", [INT64_MAX]),
        axis3=b.const_i64("const.slice_axis", [3]),
        step1=b.const_i64("const.slice_step", [1]),
        axis2=b.const_i64("const.unsqueeze_axis", [2]),
    )


def build(cfg, out_dir):
    b = Builder(out_dir)
    B, S, Hd, V = cfg["batch"], cfg["seq"], cfg["hidden"], cfg["vocab"]
    c = shared_constants(b, cfg)
    x = b.op("Gather", [b.weight("model.embed_tokens.weight", [V, Hd]), "input_ids"],
             [B, S, Hd], "/model/embed_tokens/Gather")
    for i in range(cfg["layers"]):
        x = layer(b, x, i, cfg, c)
    x = rms_norm(b, x, [B, S, Hd], b.weight("model.norm.weight", [Hd]), "/model/norm", c)
    b.op("MatMul", [x, b.weight("lm_head.weight", [Hd, V])], [B, S, V], "/lm_head/MatMul", out="logits")

    return lm_model(b, "llama70b", "pp/make_llama70b.py", B, S, V), b


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--layers", type=int, default=80)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--hidden", type=int, default=8192)
    ap.add_argument("--heads", type=int, default=64)
    ap.add_argument("--kv-heads", type=int, default=8)
    ap.add_argument("--ffn", type=int, default=28672)
    ap.add_argument("--vocab", type=int, default=128256)
    ap.add_argument("--check", action="store_true",
                    help="also run onnx.checker and strict shape inference (slow for 80 layers)")
    a = ap.parse_args()
    if a.hidden % a.heads or a.heads % a.kv_heads or (a.hidden // a.heads) % 2:
        raise SystemExit("need hidden % heads == 0, heads % kv_heads == 0, even head_dim")

    t0 = time.time()
    cfg = dict(layers=a.layers, hidden=a.hidden, heads=a.heads, kv_heads=a.kv_heads,
               head_dim=a.hidden // a.heads, ffn=a.ffn, vocab=a.vocab, batch=a.batch,
               seq=a.seq, eps=1e-5, rope_theta=500000.0, tied=False, dtype="bfloat16")
    os.makedirs(a.out, exist_ok=True)
    model, b = build(cfg, a.out)

    onnx_path, weights_path, counts = save(a.out, model, b, "llama70b", cfg)
    elapsed = time.time() - t0

    if a.check:
        check(onnx_path, model)

    st = os.stat(weights_path)
    ops = " ".join(f"{k}x{v}" for k, v in sorted(counts.items()))
    print(f"llama70b: {a.layers} layers, {b.params} params ({b.params / 1e9:.2f}e9), "
          f"{len(model.graph.node)} nodes, {len(b.weight_table)} external weights, "
          f"model.onnx {os.path.getsize(onnx_path) / 2**20:.1f} MiB, "
          f"weights.bin {st.st_size / 1e9:.1f} GB logical / {st.st_blocks * 512 / 2**20:.1f} MiB on disk, "
          f"{elapsed:.2f}s")
    print(f"ops: {ops}")


if __name__ == "__main__":
    main()
