#!/usr/bin/python3
"""Builds one tiny model per form of every op whose inputs or attributes are
optional (each optional input absent and present, each attribute left at its
default and set), compiles it with pp-opt for cpu, runs it, and compares the
outputs with numpy's answer.

    check_op_forms.py PP_OPT WORK [--filter REGEX] [--target cpu|cuda]

An error pp-opt accepts must never first appear when OUT/run is built: every
case goes down to a program that builds and runs. On cpu each case is its
own program, run and compared. For cuda (no GPU needed) the cases of each
opset are joined into one model, so that nvcc runs once per opset, and the
programs are compiled, not run. Prints one line per case (cpu) or model
(cuda) and a closing "N passed, N failed"; exits 1 on any failure.
"""

import argparse
import math
import os
import re
import shutil
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, mapping, numpy_helper

RNG = np.random.default_rng(7)
F = TensorProto.FLOAT
I64 = TensorProto.INT64


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


class Case:
    """One model: nodes over graph inputs `feeds` (name -> array) and
    initializers `consts`; `expect` maps output name -> numpy array."""

    def __init__(self, name, nodes, feeds, consts, expect, opset=17):
        self.name, self.nodes, self.feeds = name, nodes, feeds
        self.consts, self.expect, self.opset = consts, expect, opset

    def model(self):
        def info(name, array):
            kind = mapping.NP_TYPE_TO_TENSOR_TYPE[array.dtype]
            return helper.make_tensor_value_info(name, kind, array.shape)
        graph = helper.make_graph(
            self.nodes, self.name,
            [info(n, a) for n, a in self.feeds.items()],
            [info(n, a) for n, a in self.expect.items()],
            [numpy_helper.from_array(a, n) for n, a in self.consts.items()])
        return helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", self.opset)])


def joined(group):
    """The cases of one opset as one Case, every name prefixed by its case."""
    nodes, feeds, consts, expect = [], {}, {}, {}
    for case in group:
        rename = lambda v: f"{case.name}__{v}" if v else v
        for n in case.nodes:
            copy = helper.make_node(n.op_type, [rename(v) for v in n.input],
                                    [rename(v) for v in n.output], name=rename(n.name))
            copy.attribute.extend(n.attribute)
            nodes.append(copy)
        feeds.update({rename(k): v for k, v in case.feeds.items()})
        consts.update({rename(k): v for k, v in case.consts.items()})
        expect.update({rename(k): v for k, v in case.expect.items()})
    return Case(f"opset{group[0].opset}", nodes, feeds, consts, expect, group[0].opset)


def node(op, inputs, outputs, **attrs):
    return helper.make_node(op, inputs, outputs, name=f"{op}_0", **attrs)


def layer_norm(x, scale, bias, axis, eps):
    dims = tuple(range(axis % x.ndim, x.ndim))
    mean = x.mean(axis=dims, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=dims, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps) * scale
    return y + bias if bias is not None else y


def cases():
    x = rand(2, 3, 4)
    g, b = rand(4), rand(4)
    yield Case("layernorm_scale_only", [node("LayerNormalization", ["x", "g"], ["y"])],
               {"x": x}, {"g": g}, {"y": layer_norm(x, g, None, -1, 1e-5)})
    yield Case("layernorm_bias", [node("LayerNormalization", ["x", "g", "b"], ["y"])],
               {"x": x}, {"g": g, "b": b}, {"y": layer_norm(x, g, b, -1, 1e-5)})
    g2 = rand(3, 4)
    yield Case("layernorm_axis1_eps", [node("LayerNormalization", ["x", "g"], ["y"], axis=1, epsilon=1e-3)],
               {"x": x}, {"g": g2}, {"y": layer_norm(x, g2, None, 1, 1e-3)})

    a, bm, c = rand(3, 5), rand(5, 4), rand(4)
    yield Case("gemm_no_c", [node("Gemm", ["a", "bm"], ["y"])],
               {"a": a}, {"bm": bm}, {"y": a @ bm})
    yield Case("gemm_c", [node("Gemm", ["a", "bm", "c"], ["y"])],
               {"a": a}, {"bm": bm, "c": c}, {"y": a @ bm + c})
    yield Case("gemm_trans_alpha_beta", [node("Gemm", ["at", "bt", "c"], ["y"], transA=1, transB=1, alpha=0.5, beta=2.0)],
               {"at": a.T.copy()}, {"bt": bm.T.copy(), "c": c}, {"y": 0.5 * (a @ bm) + 2.0 * c})
    yield Case("gemm_beta_zero", [node("Gemm", ["a", "bm", "c"], ["y"], beta=0.0)],
               {"a": a}, {"bm": bm, "c": c}, {"y": a @ bm})

    s = rand(4, 6)
    i64 = lambda *v: np.array(v, dtype=np.int64)
    yield Case("slice_no_axes_steps", [node("Slice", ["s", "st", "en"], ["y"])],
               {"s": s}, {"st": i64(1, 2), "en": i64(3, 5)}, {"y": s[1:3, 2:5]})
    yield Case("slice_axes", [node("Slice", ["s", "st", "en", "ax"], ["y"])],
               {"s": s}, {"st": i64(1), "en": i64(-1), "ax": i64(1)}, {"y": s[:, 1:-1]})
    yield Case("slice_axes_steps", [node("Slice", ["s", "st", "en", "ax", "sp"], ["y"])],
               {"s": s}, {"st": i64(-1), "en": i64(-100), "ax": i64(0), "sp": i64(-2)}, {"y": s[::-2]})
    yield Case("slice_empty_axes_name", [node("Slice", ["s", "st", "en", "", "sp"], ["y"])],
               {"s": s}, {"st": i64(0, 1), "en": i64(4, 6), "sp": i64(2, 2)}, {"y": s[0:4:2, 1:6:2]})

    q = rand(1, 3, 1, 2)
    yield Case("squeeze_no_axes", [node("Squeeze", ["q"], ["y"])], {"q": q}, {}, {"y": q.reshape(3, 2)})
    yield Case("squeeze_axes", [node("Squeeze", ["q", "ax"], ["y"])], {"q": q}, {"ax": i64(2)}, {"y": q.reshape(1, 3, 2)})

    r = rand(2, 3, 4)
    for kind, fn in (("ReduceSum", np.sum), ("ReduceMean", np.mean), ("ReduceMax", np.max)):
        yield Case(f"{kind.lower()}18_no_axes", [node(kind, ["r"], ["y"])], {"r": r}, {},
                   {"y": fn(r, keepdims=True)}, opset=18)
        yield Case(f"{kind.lower()}18_axes_keepdims0", [node(kind, ["r", "ax"], ["y"], keepdims=0)], {"r": r},
                   {"ax": i64(-1)}, {"y": fn(r, axis=-1)}, opset=18)
        yield Case(f"{kind.lower()}18_empty_axes_noop", [node(kind, ["r"], ["y"], noop_with_empty_axes=1)], {"r": r}, {},
                   {"y": r}, opset=18)
    yield Case("reducemean13_attr_default_keepdims", [node("ReduceMean", ["r"], ["y"], axes=[1])], {"r": r}, {},
               {"y": r.mean(axis=1, keepdims=True)}, opset=13)
    yield Case("reducesum13_no_axes", [node("ReduceSum", ["r"], ["y"], keepdims=0)], {"r": r}, {},
               {"y": np.array(r.sum(), dtype=np.float32)}, opset=13)

    sp = rand(2, 6)
    yield Case("split13_equal", [node("Split", ["sp"], ["y0", "y1"], axis=1)], {"sp": sp}, {},
               {"y0": sp[:, :3], "y1": sp[:, 3:]}, opset=13)
    yield Case("split13_sizes", [node("Split", ["sp", "sz"], ["y0", "y1"], axis=1)], {"sp": sp}, {"sz": i64(2, 4)},
               {"y0": sp[:, :2], "y1": sp[:, 2:]}, opset=13)
    yield Case("split18_num_outputs", [node("Split", ["sp"], ["y0", "y1"], axis=1, num_outputs=2)],
               {"sp": sp}, {}, {"y0": sp[:, :3], "y1": sp[:, 3:]}, opset=18)
    sp7 = rand(2, 7)
    yield Case("split18_smaller_last", [node("Split", ["sp7"], ["y0", "y1", "y2"], axis=1, num_outputs=3)],
               {"sp7": sp7}, {}, {"y0": sp7[:, :3], "y1": sp7[:, 3:6], "y2": sp7[:, 6:]}, opset=18)

    t = rand(4, 5)
    yield Case("trilu_default", [node("Trilu", ["t"], ["y"])], {"t": t}, {}, {"y": np.triu(t)}, opset=14)
    yield Case("trilu_lower_k", [node("Trilu", ["t", "k"], ["y"], upper=0)], {"t": t}, {"k": np.array(-1, np.int64)},
               {"y": np.tril(t, -1)}, opset=14)

    d = rand(3, 4)
    yield Case("dropout_inputs_absent", [node("Dropout", ["d"], ["y"])], {"d": d}, {}, {"y": d}, opset=13)
    yield Case("dropout_ratio_mode_false", [node("Dropout", ["d", "ra", "tm"], ["y"])], {"d": d},
               {"ra": np.array(0.3, np.float32), "tm": np.array(False)}, {"y": d}, opset=13)

    sm = rand(2, 3, 4)
    e = np.exp(sm - sm.max(axis=-1, keepdims=True))
    yield Case("softmax13_default_axis", [node("Softmax", ["sm"], ["y"])], {"sm": sm}, {},
               {"y": e / e.sum(axis=-1, keepdims=True)}, opset=13)
    flat = sm.reshape(2, 12)
    e1 = np.exp(flat - flat.max(axis=1, keepdims=True))
    yield Case("softmax11_default_axis", [node("Softmax", ["sm"], ["y"])], {"sm": sm}, {},
               {"y": (e1 / e1.sum(axis=1, keepdims=True)).reshape(2, 3, 4)}, opset=11)

    table = rand(5, 3)
    ids = np.array([[0, 4], [2, -1]], dtype=np.int64)
    yield Case("gather_default_axis", [node("Gather", ["table", "ids"], ["y"])], {"ids": ids}, {"table": table},
               {"y": table[ids]})
    yield Case("transpose_default_perm", [node("Transpose", ["t"], ["y"])], {"t": t}, {}, {"y": t.T.copy()})
    yield Case("flatten_default_axis", [node("Flatten", ["r"], ["y"])], {"r": r}, {}, {"y": r.reshape(2, 12)})
    yield Case("constantofshape_default_value",
               [node("ConstantOfShape", ["shp"], ["z"]), node("Add", ["t", "z"], ["y"])],
               {"t": t}, {"shp": i64(4, 5)}, {"y": t})
    yield Case("gelu_default", [node("Gelu", ["t"], ["y"])], {"t": t}, {},
               {"y": (0.5 * t * (1 + np.vectorize(math.erf)(t / math.sqrt(2)))).astype(np.float32)}, opset=20)
    yield Case("reshape_allowzero_default", [node("Reshape", ["r", "shp"], ["y"])], {"r": r}, {"shp": i64(0, -1)},
               {"y": r.reshape(2, 12)}, opset=14)

    yield from new_op_cases()


def new_op_cases():
    """The ops the importer composes from pp ops (OpsMath, OpsIndex,
    OpsTransformer): each attribute default and set, each optional input."""
    i64 = lambda *v: np.array(v, dtype=np.int64)
    x = rand(3, 4)
    xs = np.array([[-2.5, -1.5, -0.5, 0.5], [1.5, 2.5, 0.49999997, -0.0],
                   [np.inf, -np.inf, np.nan, 3.7]], np.float32)
    yield Case("clip_no_bounds", [node("Clip", ["x"], ["y"])], {"x": x}, {}, {"y": x}, opset=13)
    yield Case("clip_min_only", [node("Clip", ["x", "lo"], ["y"])], {"x": x},
               {"lo": np.array(-0.5, np.float32)}, {"y": np.maximum(x, -0.5)}, opset=13)
    yield Case("clip_max_only", [node("Clip", ["x", "", "hi"], ["y"])], {"x": x},
               {"hi": np.array(0.5, np.float32)}, {"y": np.minimum(x, 0.5)}, opset=13)
    yield Case("clip6_attrs", [node("Clip", ["x"], ["y"], min=-0.2, max=0.3)], {"x": x}, {},
               {"y": np.clip(x, -0.2, 0.3)}, opset=6)
    ints = np.array([[-7, -3, 0, 3], [7, 5, -5, 1]], np.int64)
    yield Case("clip_int", [node("Clip", ["ints", "ilo", "ihi"], ["y"])], {"ints": ints},
               {"ilo": np.array(-4, np.int64), "ihi": np.array(4, np.int64)}, {"y": np.clip(ints, -4, 4)}, opset=13)
    yield Case("sign", [node("Sign", ["xs"], ["y"])], {"xs": xs}, {}, {"y": np.sign(xs)}, opset=13)
    yield Case("sign_int", [node("Sign", ["ints"], ["y"])], {"ints": ints}, {}, {"y": np.sign(ints)}, opset=13)
    yield Case("round", [node("Round", ["xs"], ["y"])], {"xs": xs}, {}, {"y": np.round(xs)}, opset=11)
    yield Case("softplus", [node("Softplus", ["x"], ["y"])], {"x": x * 30}, {},
               {"y": np.logaddexp(0, x * 30).astype(np.float32)})
    yield Case("leakyrelu_default", [node("LeakyRelu", ["x"], ["y"])], {"x": x}, {},
               {"y": np.where(x < 0, 0.01 * x, x)})
    yield Case("leakyrelu_alpha", [node("LeakyRelu", ["x"], ["y"], alpha=0.3)], {"x": x}, {},
               {"y": np.where(x < 0, 0.3 * x, x)})
    yield Case("hardsigmoid_default", [node("HardSigmoid", ["x"], ["y"])], {"x": x * 4}, {},
               {"y": np.clip(0.2 * x * 4 + 0.5, 0, 1)})
    yield Case("hardsigmoid_attrs", [node("HardSigmoid", ["x"], ["y"], alpha=0.5, beta=0.1)], {"x": x * 4}, {},
               {"y": np.clip(0.5 * x * 4 + 0.1, 0, 1)})
    yield Case("hardswish", [node("HardSwish", ["x"], ["y"])], {"x": x * 4}, {},
               {"y": x * 4 * np.clip(x * 4 / 6 + 0.5, 0, 1)}, opset=14)
    a = np.array([[5, -5, 5, -5, 0, 7]], np.int64)
    b = np.array([[3, 3, -3, -3, 2, 7]], np.int64)
    yield Case("mod_int_default", [node("Mod", ["a", "b"], ["y"])], {"a": a, "b": b}, {},
               {"y": np.mod(a, b)}, opset=13)
    yield Case("mod_int_fmod", [node("Mod", ["a", "b"], ["y"], fmod=1)], {"a": a, "b": b}, {},
               {"y": np.fmod(a, b)}, opset=13)
    af, bf = a.astype(np.float32) + 0.25, b.astype(np.float32)
    yield Case("mod_float_fmod", [node("Mod", ["af", "bf"], ["y"], fmod=1)], {"af": af, "bf": bf}, {},
               {"y": np.fmod(af, bf)}, opset=13)
    p_, q_ = np.array([True, True, False, False]), np.array([True, False, True, False])
    yield Case("xor", [node("Xor", ["p", "q"], ["y"])], {"p": p_, "q": q_}, {}, {"y": p_ ^ q_})
    yield Case("isnan", [node("IsNaN", ["xs"], ["y"])], {"xs": xs}, {}, {"y": np.isnan(xs)}, opset=13)
    yield Case("isinf_default", [node("IsInf", ["xs"], ["y"])], {"xs": xs}, {}, {"y": np.isinf(xs)})
    yield Case("isinf_positive", [node("IsInf", ["xs"], ["y"], detect_negative=0)], {"xs": xs}, {},
               {"y": np.isposinf(xs)})
    yield Case("isinf_negative", [node("IsInf", ["xs"], ["y"], detect_positive=0)], {"xs": xs}, {},
               {"y": np.isneginf(xs)})

    c = rand(2, 5)
    yield Case("cumsum_default", [node("CumSum", ["c", "ax"], ["y"])], {"c": c}, {"ax": np.array(1, np.int64)},
               {"y": np.cumsum(c, axis=1)}, opset=14)
    rev_excl = np.flip(np.cumsum(np.flip(c, 0), 0), 0) - c
    yield Case("cumsum_exclusive_reverse", [node("CumSum", ["c", "ax"], ["y"], exclusive=1, reverse=1)],
               {"c": c}, {"ax": np.array(0, np.int64)}, {"y": rev_excl}, opset=14)
    mask = np.array([[0, 1, 1, 1, 0], [1, 1, 0, 1, 1]], np.int64)
    yield Case("cumsum_int64_exclusive", [node("CumSum", ["mask", "ax"], ["y"], exclusive=1)], {"mask": mask},
               {"ax": np.array(-1, np.int64)}, {"y": np.cumsum(mask, axis=1) - mask}, opset=14)
    am = np.array([[1, 3, 3, 0], [2, 2, 1, 2], [0, 5, 5, 5]], np.float32)
    yield Case("argmax_default", [node("ArgMax", ["am"], ["y"])], {"am": am}, {},
               {"y": np.argmax(am, axis=0)[None, :]}, opset=13)
    yield Case("argmax_last_keepdims0", [node("ArgMax", ["am"], ["y"], axis=1, keepdims=0, select_last_index=1)],
               {"am": am}, {}, {"y": am.shape[1] - 1 - np.argmax(am[:, ::-1], axis=1)}, opset=13)
    yield Case("argmin_default", [node("ArgMin", ["am"], ["y"], axis=-1)], {"am": am}, {},
               {"y": np.argmin(am, axis=-1)[:, None]}, opset=13)
    tk = np.array([[1, 4, 4, 2, 0], [3, 3, 3, 3, 9]], np.float32)
    order = np.argsort(-tk, axis=1, kind="stable")[:, :3]
    yield Case("topk_default", [node("TopK", ["tk", "k"], ["v", "i"])], {"tk": tk}, {"k": i64(3)},
               {"v": np.take_along_axis(tk, order, 1), "i": order})
    order = np.argsort(tk, axis=0, kind="stable")[:1]
    yield Case("topk_smallest_axis0", [node("TopK", ["tk", "k"], ["v", "i"], axis=0, largest=0, sorted=0)],
               {"tk": tk}, {"k": i64(1)}, {"v": np.take_along_axis(tk, order, 0), "i": order})
    oh = np.array([[0, 2], [-1, 5]], np.int64)
    onv = np.array([-1.0, 2.0], np.float32)
    def one_hot(ix, depth, axis):
        ix = np.where(ix < 0, ix + depth, ix)
        hot = ix[..., None] == np.arange(depth)
        return np.moveaxis(np.where(hot, onv[1], onv[0]).astype(np.float32), -1, axis)
    yield Case("onehot_default_axis", [node("OneHot", ["oh", "dep", "onv"], ["y"])], {"oh": oh},
               {"dep": np.array(4, np.int64), "onv": onv}, {"y": one_hot(oh, 4, -1)}, opset=11)
    yield Case("onehot_axis0", [node("OneHot", ["oh", "dep", "onv"], ["y"], axis=0)], {"oh": oh},
               {"dep": np.array(3, np.int64), "onv": onv}, {"y": one_hot(oh, 3, 0)}, opset=11)
    ge = rand(3, 4)
    gi = np.array([[0, 2, -1, 1], [2, 0, 0, 1]], np.int64)
    yield Case("gatherelements_default", [node("GatherElements", ["ge", "gi"], ["y"])], {"ge": ge, "gi": gi}, {},
               {"y": np.take_along_axis(ge, np.where(gi < 0, gi + 3, gi), 0)})
    gi1 = np.array([[3, 0], [1, 1], [-4, 2]], np.int64)
    yield Case("gatherelements_axis1", [node("GatherElements", ["ge", "gi1"], ["y"], axis=1)],
               {"ge": ge, "gi1": gi1}, {}, {"y": np.take_along_axis(ge, np.where(gi1 < 0, gi1 + 4, gi1), 1)})
    sd = rand(3, 4)
    si = np.array([[1, 0], [2, 2], [0, -1]], np.int64)
    su = rand(3, 2)
    def scatter(red, si):
        out = sd.copy()
        for r in range(3):
            for j in range(2):
                col = si[r, j] % 4
                if red == "none":
                    out[r, col] = su[r, j]
                elif red == "add":
                    out[r, col] += su[r, j]
                elif red == "mul":
                    out[r, col] *= su[r, j]
                elif red == "max":
                    out[r, col] = max(out[r, col], su[r, j])
                else:
                    out[r, col] = min(out[r, col], su[r, j])
        return out
    # Duplicate indices combine under a reduction; without one ONNX leaves
    # their result undefined, so that case has none.
    unique = np.array([[1, 0], [2, 3], [0, -1]], np.int64)
    for red in ("none", "add", "mul", "max", "min"):
        attrs = {} if red == "none" else {"reduction": red}
        idx = unique if red == "none" else si
        yield Case(f"scatterelements_axis1_{red}",
                   [node("ScatterElements", ["sd", "si", "su"], ["y"], axis=1, **attrs)],
                   {"sd": sd, "si": idx, "su": su}, {}, {"y": scatter(red, idx)}, opset=18)
    sa0 = np.array([[1, 0, 2]], np.int64)
    sua = rand(1, 3)
    want = sd.copy()
    want[[1, 0, 2], [0, 1, 2]] = sua[0]
    yield Case("scatterelements_default_axis", [node("ScatterElements", ["sd", "sa0", "sua"], ["y"])],
               {"sd": sd, "sa0": sa0, "sua": sua}, {}, {"y": want}, opset=13)
    nd = rand(4, 3)
    ndi = np.array([[2], [0]], np.int64)
    ndu = rand(2, 3)
    want = nd.copy()
    want[2], want[0] = ndu[0], ndu[1]
    yield Case("scatternd_default", [node("ScatterND", ["nd", "ndi", "ndu"], ["y"])],
               {"nd": nd, "ndi": ndi, "ndu": ndu}, {}, {"y": want}, opset=13)
    ndi2 = np.array([[1, 2], [-1, 0], [1, 2]], np.int64)
    ndu2 = rand(3)
    want = nd.copy()
    want[1, 2] += ndu2[0] + ndu2[2]
    want[3, 0] += ndu2[1]
    yield Case("scatternd_add_pairs", [node("ScatterND", ["nd", "ndi2", "ndu2"], ["y"], reduction="add")],
               {"nd": nd, "ndi2": ndi2, "ndu2": ndu2}, {}, {"y": want}, opset=16)

    yield from transformer_cases()


def rms_norm(x, scale, axis, eps):
    dims = tuple(range(axis % x.ndim, x.ndim))
    return (x / np.sqrt((x * x).mean(axis=dims, keepdims=True) + eps) * scale).astype(np.float32)


def rotary(x, cos, sin, ids, interleaved, rot, heads):
    shape = x.shape
    x = x.transpose(0, 2, 1, 3) if x.ndim == 4 else x.reshape(shape[0], shape[1], heads, -1)
    rot = rot or x.shape[3]
    if ids is not None:
        cos, sin = cos[ids], sin[ids]
    cos, sin = cos[:, :, None, :], sin[:, :, None, :]
    xr = x[..., :rot]
    x1, x2 = (xr[..., 0::2], xr[..., 1::2]) if interleaved else (xr[..., :rot // 2], xr[..., rot // 2:])
    real, imag = cos * x1 - sin * x2, sin * x1 + cos * x2
    if interleaved:
        xr = np.stack([real, imag], -1).reshape(xr.shape)
    else:
        xr = np.concatenate([real, imag], -1)
    y = np.concatenate([xr, x[..., rot:]], -1)
    return (y.transpose(0, 2, 1, 3) if len(shape) == 4 else y.reshape(shape)).astype(np.float32)


def attention(q, k, v, mask=None, causal=False, scale=None, softcap=0.0, heads=None, past=None):
    three = q.ndim == 3
    if three:
        hq, hkv = heads
        split = lambda t, h: t.reshape(t.shape[0], t.shape[1], h, -1).transpose(0, 2, 1, 3)
        q, k, v = split(q, hq), split(k, hkv), split(v, hkv)
    if past is not None:
        k, v = np.concatenate([past[0], k], 2), np.concatenate([past[1], v], 2)
    present = (k, v)
    r = q.shape[1] // k.shape[1]
    kk, vv = np.repeat(k, r, 1), np.repeat(v, r, 1)
    scale = 1 / np.sqrt(q.shape[3]) if scale is None else scale
    s = (q @ kk.transpose(0, 1, 3, 2)) * scale
    if softcap > 0:
        s = softcap * np.tanh(s / softcap)
    if mask is not None:
        s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask
    if causal:
        pl = 0 if past is None else past[0].shape[2]
        i, j = np.arange(s.shape[2])[:, None], np.arange(s.shape[3])[None, :]
        s = np.where(j <= i + pl, s, -np.inf)
    e = np.exp(s - s.max(-1, keepdims=True))
    y = (e / e.sum(-1, keepdims=True)) @ vv
    if three:
        y = y.transpose(0, 2, 1, 3).reshape(y.shape[0], y.shape[2], -1)
    return y.astype(np.float32), present


def transformer_cases():
    x = rand(2, 3, 8)
    g = rand(8)
    yield Case("rmsnorm23_default", [node("RMSNormalization", ["x", "g"], ["y"])], {"x": x}, {"g": g},
               {"y": rms_norm(x, g, -1, 1e-5)}, opset=23)
    g2 = rand(3, 8)
    yield Case("rmsnorm23_axis1_eps", [node("RMSNormalization", ["x", "g2"], ["y"], axis=1, epsilon=1e-2)],
               {"x": x}, {"g2": g2}, {"y": rms_norm(x, g2, 1, 1e-2)}, opset=23)
    yield Case("rmsnorm23_stash0", [node("RMSNormalization", ["x", "g"], ["y"], stash_type=0)],
               {"x": x}, {"g": g}, {"y": rms_norm(x, g, -1, 1e-5)}, opset=23)
    xr = rand(2, 2, 3, 8)  # [B, H, S, D]
    cos, sin = rand(5, 4), rand(5, 4)
    ids = np.array([[0, 1, 2], [4, 3, 0]], np.int64)
    yield Case("rotary23_ids", [node("RotaryEmbedding", ["xr", "cos", "sin", "ids"], ["y"])],
               {"xr": xr, "ids": ids}, {"cos": cos, "sin": sin},
               {"y": rotary(xr, cos, sin, ids, False, 0, None)}, opset=23)
    yield Case("rotary23_interleaved", [node("RotaryEmbedding", ["xr", "cos", "sin", "ids"], ["y"], interleaved=1)],
               {"xr": xr, "ids": ids}, {"cos": cos, "sin": sin},
               {"y": rotary(xr, cos, sin, ids, True, 0, None)}, opset=23)
    cb, sb = rand(2, 3, 2), rand(2, 3, 2)
    x3 = rand(2, 3, 16)
    yield Case("rotary23_3d_partial_no_ids",
               [node("RotaryEmbedding", ["x3", "cb", "sb"], ["y"], num_heads=2, rotary_embedding_dim=4)],
               {"x3": x3}, {"cb": cb, "sb": sb}, {"y": rotary(x3, cb, sb, None, False, 4, 2)}, opset=23)
    q, k, v = rand(2, 4, 3, 8), rand(2, 2, 5, 8), rand(2, 2, 5, 6)
    yield Case("attention23_gqa_default", [node("Attention", ["q", "k", "v"], ["y"])],
               {"q": q, "k": k, "v": v}, {}, {"y": attention(q, k, v)[0]}, opset=23)
    bm = RNG.standard_normal((3, 5)) > -0.5
    bm[:, 0] = True
    yield Case("attention23_bool_mask_scale_softcap",
               [node("Attention", ["q", "k", "v", "bm"], ["y"], scale=0.2, softcap=2.0)],
               {"q": q, "k": k, "v": v, "bm": bm}, {},
               {"y": attention(q, k, v, mask=bm, scale=0.2, softcap=2.0)[0]}, opset=23)
    q3, k3, v3 = rand(2, 5, 16), rand(2, 5, 8), rand(2, 5, 8)
    fm5 = rand(5, 5)
    yield Case("attention23_3d_float_mask_causal",
               [node("Attention", ["q3", "k3", "v3", "fm5"], ["y"], is_causal=1, q_num_heads=4, kv_num_heads=2)],
               {"q3": q3, "k3": k3, "v3": v3, "fm5": fm5}, {},
               {"y": attention(q3, k3, v3, mask=fm5, causal=True, heads=(4, 2))[0]}, opset=23)
    pk, pv = rand(2, 2, 2, 8), rand(2, 2, 2, 6)
    k1, v1 = rand(2, 2, 3, 8), rand(2, 2, 3, 6)
    y, (presk, presv) = attention(q, k1, v1, causal=True, past=(pk, pv))
    yield Case("attention23_past_causal",
               [node("Attention", ["q", "k1", "v1", "", "pk", "pv"], ["y", "presk", "presv"], is_causal=1)],
               {"q": q, "k1": k1, "v1": v1, "pk": pk, "pv": pv}, {},
               {"y": y, "presk": presk, "presv": presv}, opset=23)


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout.strip()


def check(case, pp_opt, work, target="cpu"):
    folder = os.path.join(work, case.name)
    os.makedirs(folder)
    model = os.path.join(folder, "model.onnx")
    with open(model, "wb") as f:
        f.write(case.model().SerializeToString())
    rc, out = run([pp_opt, model, f"--target={target}", "-o", os.path.join(folder, "out")])
    if rc != 0:
        return f"compile failed (exit {rc}): {out.splitlines()[-1] if out else ''}"
    if target != "cpu":
        return None
    args = []
    for name, array in case.feeds.items():
        path = os.path.join(folder, name + ".npy")
        np.save(path, array)
        args += ["--input", f"{name}={path}"]
    res = os.path.join(folder, "res")
    rc, out = run([os.path.join(folder, "out", "run"), *args, "--output-dir", res])
    if rc != 0:
        return f"run failed (exit {rc}): {out.splitlines()[-1] if out else ''}"
    for name, want in case.expect.items():
        path = os.path.join(res, name + ".npy")
        if not os.path.exists(path):
            return f"output {name} missing"
        got = np.load(path)
        if got.shape != want.shape:
            return f"output {name} has shape {got.shape}, expected {want.shape}"
        got, want = got.astype(np.float64), want.astype(np.float64)
        # NaN and inf must sit where numpy puts them; the rest within 1e-4.
        finite = np.isfinite(want)
        if not np.array_equal(got[~finite], want[~finite], equal_nan=True):
            return f"output {name}: NaN or inf where numpy has none, or the reverse"
        diff = np.nan_to_num(np.abs(got[finite] - want[finite]), nan=np.inf)
        err = float(diff.max()) if finite.any() else 0.0
        if err > 1e-4 * max(1.0, float(np.abs(want[finite]).max()) if finite.any() else 1.0):
            return f"output {name}: max error {err:.3g}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pp_opt")
    ap.add_argument("work")
    ap.add_argument("--filter", default="")
    ap.add_argument("--target", choices=["cpu", "cuda"], default="cpu")
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    selected = [c for c in cases() if re.search(a.filter, c.name)]
    if a.target == "cuda":
        opsets = sorted({c.opset for c in selected})
        selected = [joined([c for c in selected if c.opset == o]) for o in opsets]
    passed = failed = 0
    for case in selected:
        problem = check(case, a.pp_opt, a.work, a.target)
        print(f"{case.name}: {'ok' if problem is None else 'FAIL: ' + problem}")
        passed += problem is None
        failed += problem is not None
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
