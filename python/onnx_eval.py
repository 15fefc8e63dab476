#!/usr/bin/python3
"""A small numpy interpreter for the ONNX ops the tiny test models use.

This machine has no onnxruntime and onnx 1.12 has no onnx.reference, yet we
want to know that model.onnx itself (not just the torch module) reproduces
ref_*.npy.  Only the ops and attributes our exporters emit are implemented;
anything else raises, so a new op in an export is noticed, not mis-evaluated.

    /usr/bin/python3 python/onnx_eval.py DIR     # checks DIR/model.onnx vs DIR/ref_*.npy
"""

import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _layer_norm(x, scale, bias=None, axis=-1, epsilon=1e-5, **_):
    axes = tuple(range(axis % x.ndim, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + np.float32(epsilon)) * scale
    return y + bias if bias is not None else y


def _slice(x, starts, ends, axes=None, steps=None):
    axes = range(len(starts)) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    idx = [slice(None)] * x.ndim
    for s, e, a, st in zip(starts, ends, axes, steps):
        idx[int(a)] = slice(int(s), int(e), int(st))
    return x[tuple(idx)]


def _gemm(a, b, c=None, alpha=1.0, beta=1.0, transA=0, transB=0):
    y = np.float32(alpha) * ((a.T if transA else a) @ (b.T if transB else b))
    return y + np.float32(beta) * c if c is not None else y


def _reshape(x, shape, allowzero=0):
    shape = [x.shape[i] if (d == 0 and not allowzero) else int(d) for i, d in enumerate(shape)]
    return x.reshape(shape)


def run_node(node, ins):
    op, at = node.op_type, _attrs(node)
    if op == "Constant":
        return [numpy_helper.to_array(at["value"])]
    simple = {
        "Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide,
        "Pow": np.power, "Equal": np.equal, "MatMul": np.matmul,
        "Sqrt": np.sqrt, "Tanh": np.tanh, "Neg": np.negative,
        "Reciprocal": np.reciprocal, "Identity": lambda x: x,
        "Sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
        "Erf": lambda x: _erf(x).astype(x.dtype),
        "Where": np.where, "Relu": lambda x: np.maximum(x, 0).astype(x.dtype),
        "Exp": np.exp, "Less": np.less, "Greater": np.greater,
        "Not": np.logical_not, "Range": lambda s, l, d: np.arange(s, l, d),
    }
    if op in simple:
        out = simple[op](*ins)
        # numpy promotes float32 ** float32-scalar etc. sensibly, but keep
        # integer division integral as ONNX does.
        if op == "Div" and np.issubdtype(ins[0].dtype, np.integer):
            out = np.floor_divide(*ins)
        return [np.asarray(out)]
    if op == "Gather":
        return [np.take(ins[0], ins[1], axis=at.get("axis", 0))]
    if op == "Reshape":
        return [_reshape(ins[0], ins[1], at.get("allowzero", 0))]
    if op == "Transpose":
        return [np.transpose(ins[0], at.get("perm"))]
    if op == "Dropout":  # ratio 0 or inference: the identity, an all-true mask
        return [ins[0], np.ones(ins[0].shape, dtype=bool)]
    if op == "Squeeze":
        axes = tuple(int(a) for a in ins[1]) if len(ins) > 1 else None
        return [np.squeeze(ins[0], axis=axes)]
    if op == "Shape":
        return [np.array(ins[0].shape, dtype=np.int64)]
    if op == "Trilu":
        k = int(ins[1]) if len(ins) > 1 and ins[1] is not None else 0
        tri = np.triu if at.get("upper", 1) else np.tril
        return [tri(ins[0], k)]
    if op == "Unsqueeze":
        return [np.expand_dims(ins[0], tuple(int(a) for a in ins[1]))]
    if op == "Expand":
        return [ins[0] * np.ones(ins[1], dtype=ins[0].dtype)]
    if op == "Concat":
        return [np.concatenate(ins, axis=at["axis"])]
    if op == "Split":
        axis = at.get("axis", 0)
        return np.split(ins[0], np.cumsum(ins[1])[:-1], axis=axis)
    if op == "Slice":
        return [_slice(*ins)]
    if op == "Cast":
        return [ins[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[at["to"]])]
    if op == "ConstantOfShape":
        v = numpy_helper.to_array(at["value"]) if "value" in at else np.zeros(1, np.float32)
        return [np.full(tuple(int(d) for d in ins[0]), v.reshape(()), dtype=v.dtype)]
    if op == "Softmax":
        return [_softmax(ins[0], at.get("axis", -1))]
    if op == "ReduceMean":
        return [ins[0].mean(axis=tuple(at["axes"]), keepdims=bool(at.get("keepdims", 1)))]
    if op == "LayerNormalization":
        return [_layer_norm(*ins, **at)]
    if op == "Gemm":
        return [_gemm(*ins, **at)]
    raise NotImplementedError(f"onnx_eval: op {op} (node {node.name})")


def run_model(model, feeds):
    """Evaluate model (a ModelProto with inline weights) on feeds {name: array}."""
    env = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    env.update(feeds)
    for node in model.graph.node:  # ONNX requires topological order
        outs = run_node(node, [env[n] if n else None for n in node.input])
        for name, val in zip(node.output, outs):
            env[name] = val
    return {o.name: env[o.name] for o in model.graph.output}


def check_dir(d, rtol=1e-4, atol=1e-4):
    """Run DIR/model.onnx on DIR's input .npy files and compare to ref_*.npy.

    Returns the largest absolute error per output; raises on a mismatch.
    """
    with open(os.path.join(d, "meta.json")) as fh:
        meta = json.load(fh)
    model = onnx.load(os.path.join(d, "model.onnx"))
    feeds = {i["name"]: np.load(os.path.join(d, i["file"])) for i in meta["inputs"]}
    got = run_model(model, feeds)
    errs = {}
    for o in meta["outputs"]:
        ref = np.load(os.path.join(d, o["file"]))
        out = got[o["name"]]
        assert out.shape == ref.shape, (o["name"], out.shape, ref.shape)
        errs[o["name"]] = float(np.abs(out.astype(np.float64) - ref).max())
        if not np.allclose(out, ref, rtol=rtol, atol=atol):
            raise AssertionError(f"{d}: {o['name']} differs from torch, max abs err {errs[o['name']]:.3g}")
    return errs


if __name__ == "__main__":
    for d in sys.argv[1:]:
        print(d, {k: f"{v:.2e}" for k, v in check_dir(d).items()})
