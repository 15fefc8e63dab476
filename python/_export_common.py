"""Shared plumbing for the tiny-model exporters (export_gpt2/llama/bert.py).

Each exporter builds a plain-torch model, then hands it here to be exported to
ONNX with fully static shapes and saved next to its inputs and torch's
reference outputs.  Keeping this in one place means the three folders always
have the same layout, which the test suite relies on:

    DIR/model.onnx         weights inline (torch's default raw_data export)
    DIR/<input>.npy        one per ONNX graph input, named after the input
    DIR/ref_<output>.npy   torch's result for each ONNX graph output
    DIR/meta.json          config, input/output names+shapes, op counts
"""

import argparse
import collections
import json
import os
import sys
import random
import time

import numpy as np
import onnx
import torch
from onnx import numpy_helper

import onnx_eval


def base_parser(description, **defaults):
    """Argument parser with the flags every exporter shares.

    Defaults (batch 8, seq 16, hidden 64, 4 layers, vocab 128) can be
    overridden per model through **defaults.  Batch 8 is deliberate: the
    pipeline tests split it into up to 8 micro-batches.
    """
    d = dict(batch=8, seq=16, hidden=64, layers=4, heads=4, vocab=128,
             opset=17, seed=0)
    d.update(defaults)
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--batch", type=int, default=d["batch"])
    p.add_argument("--seq", type=int, default=d["seq"])
    p.add_argument("--hidden", type=int, default=d["hidden"])
    p.add_argument("--layers", type=int, default=d["layers"])
    p.add_argument("--heads", type=int, default=d["heads"])
    p.add_argument("--vocab", type=int, default=d["vocab"])
    p.add_argument("--opset", type=int, default=d["opset"],
                   choices=range(13, 18), metavar="{13..17}")
    p.add_argument("--seed", type=int, default=d["seed"])
    p.add_argument("--train", action="store_true",
                   help="export for training (named parameters, no constant "
                        "folding) and write torch's loss and gradients to "
                        "OUT/train")
    p.add_argument("--generate", type=int, default=0, metavar="K",
                   help="write torch's greedy generation to OUT/generate: "
                        "K new tokens after each row's first --prompt-len "
                        "ids, the whole forward re-run for every token")
    p.add_argument("--prompt-len", type=int, default=8)
    p.add_argument("--fold", action="store_true",
                   help="with --train: keep torch's constant folding, as a "
                        "plain export does (Linear weights become anonymous "
                        "transposed copies, the tied LM head a transposed "
                        "copy of the embedding)")
    return p


def output_file_name(name):
    """The file name pp's runtime gives an output or gradient of this name."""
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)


def save_training_reference(model, inputs, proto, out_dir, batch_dim=0):
    """torch's loss and step-1 gradients for `pp-opt --train`.

    The loss is the mean token cross-entropy of the first output (the
    logits, [..., V]) against random labels with the output's leading dims,
    a quarter of them -100 (ignored), as `pp-opt --train` computes it.
    Writes out_dir/<input>.npy and labels.npy (the program's inputs),
    ref_loss.npy and ref_<parameter>.npy for every parameter that is an
    initializer of the ONNX model (zeros where torch has no gradient), so
    that run_and_compare.py OUT/run out_dir checks them all.
    """
    os.makedirs(out_dir, exist_ok=True)
    initializers = {i.name for i in proto.graph.initializer}
    # A folded export holds some parameters only as anonymous (transposed)
    # copies: compare those gradients under the copy's name and layout.
    values = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}

    def stored_as(n, p):
        if n in initializers:
            return n, False
        w = p.detach().numpy()
        for name, v in values.items():
            if v.shape == w.shape and np.array_equal(v, w):
                return name, False
            if w.ndim == 2 and v.shape == w.T.shape and np.array_equal(v, w.T):
                return name, True
        return None, False
    model.zero_grad()
    out = model(*inputs.values())
    logits = out[0] if isinstance(out, (tuple, list)) else out
    g = torch.Generator().manual_seed(1234)
    vocab = logits.shape[-1]
    labels = torch.randint(0, vocab, logits.shape[:-1], generator=g)
    labels[torch.rand(labels.shape, generator=g) < 0.25] = -100
    loss = torch.nn.functional.cross_entropy(
        logits.reshape(-1, vocab).double(), labels.reshape(-1),
        ignore_index=-100)
    loss.backward()
    for n, t in inputs.items():
        np.save(os.path.join(out_dir, f"{n}.npy"), t.detach().cpu().numpy())
    np.save(os.path.join(out_dir, "labels.npy"), labels.numpy())
    np.save(os.path.join(out_dir, "ref_loss.npy"),
            np.array(loss.item(), dtype=np.float32))
    for n, p in model.named_parameters():
        name, transposed = stored_as(n, p)
        if name is None:
            continue
        grad = p.grad if p.grad is not None else torch.zeros_like(p)
        grad = grad.detach().numpy().astype(np.float32)
        np.save(os.path.join(out_dir, f"ref_{output_file_name(name)}.npy"),
                grad.T if transposed else grad)
    model.zero_grad()
    save_loss_curves(model, inputs, labels, vocab, os.path.join(out_dir, "curves"),
                     batch_dim=batch_dim)


# The optimizers the loss-curve references use, as pp-opt flags and as
# torch.optim constructors (default flags otherwise).
CURVE_OPTIMIZERS = {
    "sgd": ("--optimizer=sgd --lr=0.05 --momentum=0.9",
            lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9)),
    "adamw": ("--optimizer=adamw --lr=0.003 --weight-decay=0.1",
              lambda ps: torch.optim.AdamW(ps, lr=0.003, weight_decay=0.1)),
    "adamw-clip": ("--optimizer=adamw --lr=0.003 --grad-clip=0.5",
                   lambda ps: torch.optim.AdamW(ps, lr=0.003)),
}


def save_loss_curves(model, inputs, labels, vocab, out_dir, steps=10,
                     batch_dim=0):
    """torch.optim's losses over `steps` steps for each CURVE_OPTIMIZERS
    entry, on two batches: the inputs and labels given, and the same rows
    rolled by one along the batch (dim `batch_dim`: 1 for a sequence-first
    model). Step s uses batch s mod 2, as `run --steps` does with inputs
    that hold two batches along the batch dim. Writes the two-batch
    inputs (<name>.npy, labels.npy), <optimizer>.npy (f32 [steps]),
    trained/<optimizer>.npy (the trained model's first output on the first
    batch) and flags.txt (one "optimizer: pp-opt flags" line each)."""
    import copy
    os.makedirs(out_dir, exist_ok=True)
    batches = [dict(inputs, labels=labels),
               {n: torch.roll(t, 1, dims=batch_dim)
                for n, t in dict(inputs, labels=labels).items()}]
    for n in batches[0]:
        both = torch.cat([batches[0][n], batches[1][n]], dim=batch_dim)
        np.save(os.path.join(out_dir, f"{n}.npy"), both.numpy())
    with open(os.path.join(out_dir, "flags.txt"), "w") as fh:
        for name, (flags, make) in CURVE_OPTIMIZERS.items():
            fh.write(f"{name}: {flags}\n")
            trained = copy.deepcopy(model)
            opt = make(trained.parameters())
            clip = "--grad-clip=" in flags
            losses = []
            for s in range(steps):
                batch = batches[s % 2]
                opt.zero_grad()
                out = trained(*[batch[n] for n in inputs])
                logits = out[0] if isinstance(out, (tuple, list)) else out
                loss = torch.nn.functional.cross_entropy(
                    logits.reshape(-1, vocab), batch["labels"].reshape(-1),
                    ignore_index=-100)
                losses.append(loss.item())
                loss.backward()
                if clip:
                    torch.nn.utils.clip_grad_norm_(trained.parameters(), 0.5)
                opt.step()
            np.save(os.path.join(out_dir, f"{name}.npy"),
                    np.array(losses, dtype=np.float32))
            # The trained model's outputs on the first batch, which the
            # saved checkpoint must reproduce.
            os.makedirs(os.path.join(out_dir, "trained"), exist_ok=True)
            with torch.no_grad():
                out = trained(*[batches[0][n] for n in inputs])
            logits = out[0] if isinstance(out, (tuple, list)) else out
            np.save(os.path.join(out_dir, "trained", f"{name}.npy"),
                    logits.numpy())


def save_generation_reference(model, ids, out_dir, new_tokens, prompt_len,
                              seq_dim=1):
    """torch's greedy generation for `pp-opt --generate`.

    The prompts are the first `prompt_len` positions of each sequence of
    `ids`; each new token is the argmax of the last position's logits of a
    whole forward pass over the sequence so far (no cache). Writes
    prompt.npy [B, L] int64, ref_tokens.npy [B, L + K] and
    ref_step_logits.npy [B, K, V] (the logits each token was chosen from).
    """
    os.makedirs(out_dir, exist_ok=True)
    rows = ids if seq_dim == 1 else ids.transpose(0, 1)
    if prompt_len + new_tokens > rows.shape[1]:
        sys.exit(f"--prompt-len {prompt_len} + --generate {new_tokens} "
                 f"exceed the {rows.shape[1]} positions of --seq")
    seq = rows[:, :prompt_len].clone()
    steps = []
    with torch.no_grad():
        for _ in range(new_tokens):
            x = seq if seq_dim == 1 else seq.transpose(0, 1).contiguous()
            out = model(x)
            out = out[0] if isinstance(out, (tuple, list)) else out
            last = out[:, -1] if seq_dim == 1 else out[-1]
            steps.append(last.float())
            seq = torch.cat([seq, last.argmax(-1, keepdim=True)], dim=1)
    np.save(os.path.join(out_dir, "prompt.npy"),
            np.ascontiguousarray(rows[:, :prompt_len].numpy(), dtype=np.int64))
    np.save(os.path.join(out_dir, "ref_tokens.npy"),
            np.ascontiguousarray(seq.numpy(), dtype=np.int64))
    np.save(os.path.join(out_dir, "ref_step_logits.npy"),
            torch.stack(steps, dim=1).numpy())


def seed_everything(seed):
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def check_divisible(hidden, heads, kv_heads=None):
    if hidden % heads:
        raise SystemExit(f"--hidden {hidden} is not divisible by --heads {heads}")
    if kv_heads is not None and heads % kv_heads:
        raise SystemExit(f"--heads {heads} is not divisible by kv_heads {kv_heads}")


def jitter_norms(model, std=0.1):
    """Move every LayerNorm/RMSNorm scale off 1 (and bias off 0).

    Fresh norms are all-ones/all-zeros, which hides a compiler that drops or
    misapplies the affine part; torch's exporter would also deduplicate the
    identical tensors into Identity nodes, which trained models never have.
    """
    with torch.no_grad():
        for m in model.modules():
            if "norm" not in type(m).__name__.lower():
                continue
            if getattr(m, "weight", None) is not None:
                m.weight.copy_(1.0 + std * torch.randn_like(m.weight))
            if getattr(m, "bias", None) is not None:
                m.bias.copy_(std * torch.randn_like(m.bias))


def op_counts(model_proto):
    """Op type -> count over the main graph (tiny models have no subgraphs)."""
    c = collections.Counter(n.op_type for n in model_proto.graph.node)
    return dict(sorted(c.items()))


def _np_dtype_name(a):
    return str(a.dtype)


def export_and_save(name, model, inputs, output_names, config, out_dir, opset,
                    dynamic_axes=None, train=False, fold=False, generate=0,
                    prompt_len=8, seq_dim=None):
    """Export `model` to out_dir/model.onnx and save inputs/refs/meta.

    inputs: ordered dict ONNX-input-name -> tensor, in forward() argument order.
    output_names: names for forward()'s outputs, in order.
    config: plain dict written into meta.json as "config".
    dynamic_axes: as torch.onnx.export's; names dims symbolically, as many
    users' exports do (pp-opt then needs --input-shape to bind them).
    train: export as ONNX Runtime's training flow asks (no constant folding,
    so every parameter stays a named initializer; dropout set to p=0, as
    random masks cannot be compared) and write torch's training reference
    to out_dir/train (see save_training_reference).
    fold: with train, keep torch's constant folding, as plain exports do.
    generate: write torch's greedy generation of this many tokens after
    prompts of prompt_len to out_dir/generate (save_generation_reference);
    seq_dim: the dim of the first input that holds the positions (default:
    the one that is not the batch).
    """
    t0 = time.time()
    os.makedirs(out_dir, exist_ok=True)
    model.eval()  # dropout modules exist but must be inactive
    if train:
        for m in model.modules():
            if isinstance(m, torch.nn.Dropout):
                m.p = 0.0
    args = tuple(inputs.values())

    with torch.no_grad():
        outs = model(*args)
    if isinstance(outs, torch.Tensor):
        outs = (outs,)
    assert len(outs) == len(output_names)

    onnx_path = os.path.join(out_dir, "model.onnx")
    # By default every dimension is static, so pp-opt needs no --input-shape.
    torch.onnx.export(
        model, args, onnx_path,
        input_names=list(inputs.keys()),
        output_names=list(output_names),
        dynamic_axes=dynamic_axes,
        opset_version=opset,
        do_constant_folding=fold or not train,
        training=(torch.onnx.TrainingMode.TRAINING if train
                  else torch.onnx.TrainingMode.EVAL),
    )
    model.eval()  # a TRAINING export leaves the model in train mode

    in_meta, out_meta = [], []
    for n, t in inputs.items():
        a = t.detach().cpu().numpy()
        f = f"{n}.npy"
        np.save(os.path.join(out_dir, f), a)
        in_meta.append(dict(name=n, shape=list(a.shape), dtype=_np_dtype_name(a), file=f))
    for n, t in zip(output_names, outs):
        a = t.detach().cpu().numpy()
        f = f"ref_{n}.npy"
        np.save(os.path.join(out_dir, f), a)
        out_meta.append(dict(name=n, shape=list(a.shape), dtype=_np_dtype_name(a), file=f))

    # Read back what was written and make sure it is what the tests will
    # see: the ONNX interface must match the .npy names, and re-running
    # torch on the saved inputs must reproduce the saved references.
    proto = onnx.load(onnx_path)
    onnx.checker.check_model(proto)
    got_in = [i.name for i in proto.graph.input]
    got_out = [o.name for o in proto.graph.output]
    assert got_in == list(inputs.keys()), (got_in, list(inputs.keys()))
    assert got_out == list(output_names), (got_out, list(output_names))
    reloaded = [torch.from_numpy(np.load(os.path.join(out_dir, m["file"]))) for m in in_meta]
    with torch.no_grad():
        again = model(*reloaded)
    if isinstance(again, torch.Tensor):
        again = (again,)
    for m, t in zip(out_meta, again):
        ref = np.load(os.path.join(out_dir, m["file"]))
        assert np.array_equal(ref, t.numpy()), f"reference mismatch for {m['name']}"

    counts = op_counts(proto)
    n_params = sum(p.numel() for p in model.parameters())
    meta = dict(
        model=name,
        opset=opset,
        torch_version=torch.__version__,
        onnx_version=onnx.__version__,
        config=config,
        params=n_params,
        inputs=in_meta,
        outputs=out_meta,
        op_counts=counts,
        onnx_bytes=os.path.getsize(onnx_path),
    )
    with open(os.path.join(out_dir, "meta.json"), "w") as fh:
        json.dump(meta, fh, indent=2)
        fh.write("\n")

    # Stronger than the torch re-run: evaluate the ONNX file itself with the
    # numpy interpreter and compare with the saved references.
    errs = onnx_eval.check_dir(out_dir)
    # The batch is the input dim the export names "batch" (dim 1 of a
    # sequence-first model), as pp finds it; else dim 0.
    names = (dynamic_axes or {}).get(next(iter(inputs)), {})
    batch_dim = next((d for d, n in names.items() if n == "batch"), 0)
    if generate:
        save_generation_reference(model, next(iter(inputs.values())),
                                  os.path.join(out_dir, "generate"), generate,
                                  prompt_len,
                                  seq_dim=1 - batch_dim if seq_dim is None
                                  else seq_dim)
    if train:
        save_training_reference(model, inputs, proto,
                                os.path.join(out_dir, "train"), batch_dim)

    shapes = lambda ms: ", ".join(f"{m['name']}{m['shape']}" for m in ms)
    ops = " ".join(f"{k}x{v}" for k, v in counts.items())
    print(f"{name}: opset {opset}, {n_params} params, "
          f"{meta['onnx_bytes'] / 1024:.0f} KiB, in [{shapes(in_meta)}] "
          f"out [{shapes(out_meta)}], onnx-vs-torch max err {max(errs.values()):.1e}, "
          f"{time.time() - t0:.2f}s, ops: {ops}")
    return meta
