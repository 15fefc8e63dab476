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
        err = float(np.abs(got.astype(np.float64) - want.astype(np.float64)).max()) if want.size else 0.0
        if err > 1e-4 * max(1.0, float(np.abs(want).max()) if want.size else 1.0):
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
