#!/usr/bin/python3
"""Write the malformed ONNX inputs the importer's error tests need.

Every case is a tiny model (X[2,4] float -> MatMul W[4,3] -> Add B[3] -> Y)
broken in exactly one way, so an importer error can only be about that
defect.  Files are written with plain onnx.save / raw bytes; the checker is
never run on them before saving.  Output (all under --out DIR):

    truncated.onnx       valid model, serialized, cut in half
    random.onnx          1 KiB of seeded random bytes
    unknown_op.onnx      node 'fancy_0' of op type 'FancyOp', domain '', opset 17
    dangling_input.onnx  node 'add_0' reads 'ghost', which nothing produces
    cycle.onnx           'cycle_a' and 'cycle_b' feed each other
    dtype_mismatch.onnx  node 'add_mixed' adds a float and an int64 tensor
    escape_dotdot/       W's external location is '../outside.bin'
    escape_absolute/     W's external location is '/etc/passwd'
    escape_symlink/      W's location 'link.bin' is a symlink to ../outside.bin
    past_end/            W's offset+length runs past the end of weights.bin
    ok_external/         valid: W and B in weights.bin, with X.npy / ref_Y.npy
    outside.bin          the file the escape cases point at (holds valid W bytes,
                         so only a containment check can stop a read)
    cases.json           the list above, machine-readable

    /usr/bin/python3 python/make_bad_models.py --out /tmp/bad
"""

import argparse
import json
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
FLOAT, INT64 = TensorProto.FLOAT, TensorProto.INT64
# Fixed values (not random) so ref_Y.npy is easy to reason about in tests.
W = (np.arange(12, dtype=np.float32).reshape(4, 3) - 5.5) / 4
B = np.array([0.5, -1.0, 2.0], dtype=np.float32)
X = np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4)


def make_model(nodes, inputs, outputs, inits=(), name="case"):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    return helper.make_model(graph, producer_name="pp/make_bad_models.py",
                             opset_imports=[helper.make_opsetid("", OPSET)])


def x_in():
    return helper.make_tensor_value_info("X", FLOAT, [2, 4])


def y_out():
    return helper.make_tensor_value_info("Y", FLOAT, [2, 3])


def linear_nodes():
    return [helper.make_node("MatMul", ["X", "W"], ["XW"], name="matmul_0"),
            helper.make_node("Add", ["XW", "B"], ["Y"], name="add_0")]


def linear_model(w_init, b_init):
    return make_model(linear_nodes(), [x_in()], [y_out()], [w_init, b_init], name="linear")


def external(name, arr, location, offset, length=None):
    """Initializer whose bytes live in `location` (no data in the proto)."""
    t = TensorProto()
    t.name = name
    t.data_type = FLOAT
    t.dims.extend(arr.shape)
    t.data_location = TensorProto.EXTERNAL
    for k, v in (("location", location), ("offset", str(offset)),
                 ("length", str(arr.nbytes if length is None else length))):
        e = t.external_data.add()
        e.key, e.value = k, v
    return t


def save(model, path):
    # No checker: these models are meant to be wrong.
    onnx.save(model, path)


def fresh_dir(path):
    if os.path.lexists(path):
        shutil.rmtree(path)
    os.makedirs(path)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    out = a.out
    os.makedirs(out, exist_ok=True)
    cases = []

    # `mentions`: names a useful diagnostic would contain (node, initializer,
    # location); tests may require them, the list is only a suggestion.
    def case(name, path, defect, mentions, **extra):
        cases.append(dict(name=name, path=path, defect=defect, mentions=mentions, **extra))

    inline = linear_model(numpy_helper.from_array(W, "W"), numpy_helper.from_array(B, "B"))

    # Cut in the middle of W's raw bytes: protobuf sees a length-delimited
    # field that promises more bytes than remain.
    blob = inline.SerializeToString()
    with open(os.path.join(out, "truncated.onnx"), "wb") as fh:
        fh.write(blob[: len(blob) // 2])
    case("truncated", "truncated.onnx", "valid model cut to half its bytes", ["truncated.onnx"])

    with open(os.path.join(out, "random.onnx"), "wb") as fh:
        fh.write(np.random.default_rng(0).integers(0, 256, 1024, dtype=np.uint8).tobytes())
    case("random", "random.onnx", "1024 random bytes (numpy default_rng(0))", ["random.onnx"])

    save(make_model([helper.make_node("FancyOp", ["X"], ["Y"], name="fancy_0")],
                    [x_in()], [helper.make_tensor_value_info("Y", FLOAT, [2, 4])]),
         os.path.join(out, "unknown_op.onnx"))
    case("unknown_op", "unknown_op.onnx", "op type FancyOp in the default domain",
         ["FancyOp", "fancy_0"])

    save(make_model([helper.make_node("Add", ["X", "ghost"], ["Y"], name="add_0")],
                    [x_in()], [helper.make_tensor_value_info("Y", FLOAT, [2, 4])]),
         os.path.join(out, "dangling_input.onnx"))
    case("dangling_input", "dangling_input.onnx", "input 'ghost' has no producer",
         ["ghost", "add_0"])

    save(make_model([helper.make_node("Add", ["X", "loop_b"], ["Y"], name="cycle_a"),
                     helper.make_node("Relu", ["Y"], ["loop_b"], name="cycle_b")],
                    [x_in()], [helper.make_tensor_value_info("Y", FLOAT, [2, 4])]),
         os.path.join(out, "cycle.onnx"))
    case("cycle", "cycle.onnx", "cycle_a -> cycle_b -> cycle_a",
         ["cycle_"])

    save(make_model([helper.make_node("Add", ["A", "I"], ["C"], name="add_mixed")],
                    [helper.make_tensor_value_info("A", FLOAT, [2, 3]),
                     helper.make_tensor_value_info("I", INT64, [2, 3])],
                    [helper.make_tensor_value_info("C", FLOAT, [2, 3])]),
         os.path.join(out, "dtype_mismatch.onnx"))
    case("dtype_mismatch", "dtype_mismatch.onnx", "Add of float32 and int64",
         ["add_mixed"])

    # The escape cases point at real, correctly sized W bytes: if an importer
    # follows the path at all, it reads plausible data instead of failing for
    # some unrelated reason, so the test really checks containment.
    outside = os.path.join(out, "outside.bin")
    with open(outside, "wb") as fh:
        fh.write(W.tobytes())
    b_inline = numpy_helper.from_array(B, "B")

    d = fresh_dir(os.path.join(out, "escape_dotdot"))
    save(linear_model(external("W", W, "../outside.bin", 0), b_inline), os.path.join(d, "model.onnx"))
    case("escape_dotdot", "escape_dotdot/model.onnx", "W location '../outside.bin'",
         ["W", "../outside.bin"])

    d = fresh_dir(os.path.join(out, "escape_absolute"))
    save(linear_model(external("W", W, "/etc/passwd", 0), b_inline), os.path.join(d, "model.onnx"))
    case("escape_absolute", "escape_absolute/model.onnx", "W location '/etc/passwd'",
         ["W", "/etc/passwd"])

    d = fresh_dir(os.path.join(out, "escape_symlink"))
    os.symlink(os.path.join("..", "outside.bin"), os.path.join(d, "link.bin"))
    save(linear_model(external("W", W, "link.bin", 0), b_inline), os.path.join(d, "model.onnx"))
    case("escape_symlink", "escape_symlink/model.onnx",
         "W location 'link.bin', a symlink to ../outside.bin", ["W", "link.bin"])

    # Offset inside the file, end beyond it: 16 + 48 > 48.
    d = fresh_dir(os.path.join(out, "past_end"))
    with open(os.path.join(d, "weights.bin"), "wb") as fh:
        fh.write(W.tobytes())
    save(linear_model(external("W", W, "weights.bin", 16), b_inline), os.path.join(d, "model.onnx"))
    case("past_end", "past_end/model.onnx",
         f"W offset 16 + length {W.nbytes} > weights.bin size {W.nbytes}",
         ["W", "weights.bin"])

    # Valid contrast case: both tensors external, B at a 64-byte aligned offset.
    d = fresh_dir(os.path.join(out, "ok_external"))
    with open(os.path.join(d, "weights.bin"), "wb") as fh:
        fh.write(W.tobytes().ljust(64, b"\0") + B.tobytes())
    ok = linear_model(external("W", W, "weights.bin", 0), external("B", B, "weights.bin", 64))
    save(ok, os.path.join(d, "model.onnx"))
    np.save(os.path.join(d, "X.npy"), X)
    np.save(os.path.join(d, "ref_Y.npy"), X @ W + B)
    onnx.checker.check_model(os.path.join(d, "model.onnx"))
    loaded = onnx.load(os.path.join(d, "model.onnx"))  # pulls in weights.bin
    assert np.array_equal(numpy_helper.to_array(loaded.graph.initializer[0]), W)
    assert np.array_equal(numpy_helper.to_array(loaded.graph.initializer[1]), B)
    case("ok_external", "ok_external/model.onnx", "none (valid; W, B in weights.bin)", [],
         inputs=["X.npy"], refs=["ref_Y.npy"])

    # The parse cases must really fail to parse, or they test nothing.
    for name in ("truncated.onnx", "random.onnx"):
        try:
            onnx.load(os.path.join(out, name))
        except Exception:
            continue
        raise SystemExit(f"{name} unexpectedly parses as a ModelProto")

    with open(os.path.join(out, "cases.json"), "w") as fh:
        json.dump(cases, fh, indent=1)
        fh.write("\n")

    # What the onnx package itself makes of each case, for the record.
    for c in cases:
        try:
            onnx.checker.check_model(os.path.join(out, c["path"]))
            verdict = "onnx.checker: ok"
        except Exception as e:  # noqa: BLE001 - any rejection is the answer
            verdict = "onnx.checker: " + (str(e).strip().splitlines() or [type(e).__name__])[0][:110]
        print(f"{c['name']:16s} {verdict}")


if __name__ == "__main__":
    main()
