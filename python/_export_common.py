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
import random
import time

import numpy as np
import onnx
import torch

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
    return p


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
                    dynamic_axes=None):
    """Export `model` to out_dir/model.onnx and save inputs/refs/meta.

    inputs: ordered dict ONNX-input-name -> tensor, in forward() argument order.
    output_names: names for forward()'s outputs, in order.
    config: plain dict written into meta.json as "config".
    dynamic_axes: as torch.onnx.export's; names dims symbolically, as many
    users' exports do (pp-opt then needs --input-shape to bind them).
    """
    t0 = time.time()
    os.makedirs(out_dir, exist_ok=True)
    model.eval()  # dropout modules exist but must be inactive
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
        do_constant_folding=True,
        training=torch.onnx.TrainingMode.EVAL,
    )

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

    shapes = lambda ms: ", ".join(f"{m['name']}{m['shape']}" for m in ms)
    ops = " ".join(f"{k}x{v}" for k, v in counts.items())
    print(f"{name}: opset {opset}, {n_params} params, "
          f"{meta['onnx_bytes'] / 1024:.0f} KiB, in [{shapes(in_meta)}] "
          f"out [{shapes(out_meta)}], onnx-vs-torch max err {max(errs.values()):.1e}, "
          f"{time.time() - t0:.2f}s, ops: {ops}")
    return meta
