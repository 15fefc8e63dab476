#!/usr/bin/python3
"""ONNX backend node tests through pp's cpu target.

    onnx_conformance.py [--pp-opt PATH] [--jobs 2] [--min-pass-rate 0.95]
                        [--expected-failures FILE] [--expect-selected N]
                        [--list-failures FILE] [--filter REGEX]

Selects the node tests of Debian's libonnx-testdata whose graph uses only
ops pp supports: every node must be in the default domain and its op type in
the importer's list (the `*_expanded` function bodies count under the ops
they contain). The list comes from pp-opt itself: the diagnostic it prints
for an unsupported op names every supported one, so it cannot go stale.

Each selected test is compiled with `pp-opt --target=cpu` into a temporary
folder and every test_data_set_N is run through `run --test-data-dir`; a
test passes only if all its data sets do. pp compiles static graphs, so
when pp-opt says an input must be a constant (a Reshape shape, Slice
starts, Range limits fed as graph inputs), the harness follows the error's
hint as a user would: it binds the graph inputs the hint names to the data
set's values with `--const-input NAME=FILE.npy`, and the model is
compiled per data set (--no-bind turns this off). Two quirks of ONNX
1.12's test data are undone (bf16 tensors stored as UINT16 bits, declared
input shapes the data does not have), and outputs whose reference holds
inf or nan are checked here, since run's tolerance is then infinite.
Programs are built at -O0 (PP_CXX_OPT) since they run once on tiny
tensors. docs/ops.md has the rules and the failures. Prints one line per
failure with its first error line, then

    conformance: P passed/T total (X.X%) over node tests of supported ops

and exits 1 when the pass rate is below --min-pass-rate. Nothing is written
outside the temporary folder except the optional --list-failures file.
"""

import argparse
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import helper, numpy_helper

DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def supported_ops(pp_opt, tmp):
    """The importer's op list, from its unsupported-op diagnostic."""
    graph = helper.make_graph(
        [helper.make_node("PpConformanceProbe", ["x"], ["y"])], "probe",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1])])
    path = os.path.join(tmp, "probe.onnx")
    onnx.save(helper.make_model(graph), path)
    r = subprocess.run([pp_opt, path], capture_output=True, text=True)
    match = re.search(r"supported ops:(.*)", r.stderr)
    if not match:
        sys.exit(f"error: no op list in pp-opt's diagnostic: {r.stderr!r}")
    return set(match.group(1).split())


def select_tests(data_dir, supported, pattern):
    """Test folders whose every node is a supported default-domain op."""
    selected = []
    for folder in sorted(glob.glob(os.path.join(data_dir, "test_*"))):
        name = os.path.basename(folder)
        if pattern and not re.search(pattern, name):
            continue
        model = os.path.join(folder, "model.onnx")
        if not os.path.exists(model):
            continue
        nodes = onnx.load(model, load_external_data=False).graph.node
        if nodes and all(n.domain in ("", "ai.onnx") and
                         n.op_type in supported for n in nodes):
            selected.append(folder)
    return selected


def first_error(text):
    """The first line that reads like an error, else the first line, with
    file paths shortened to their last component."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    line = next((l for l in lines if "error" in l),
                lines[0] if lines else "(no output)")
    return re.sub(r"/\S*/([^/\s]+:)", r"\1", line)


# pp compiles static graphs: values that decide shapes (Reshape's shape,
# Slice's starts, Range's limits, ...) must be constants. Node tests often
# feed them as graph inputs; pp-opt's error then names the graph inputs and
# suggests `--const-input NAME=FILE.npy` for each, and the harness follows
# that hint with the data set's values.
CONST_INPUT_HINT = re.compile(r"--const-input (\S+)=FILE\.npy")


def read_tensor(path):
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return tensor


def write_tensor(tensor, path):
    with open(path, "wb") as f:
        f.write(tensor.SerializeToString())


def fix_bf16(tensor, info):
    """ONNX 1.12's test data stores bfloat16 tensors as UINT16 bit
    patterns; relabel them (same bits) so the runtime reads them."""
    if (info.type.tensor_type.elem_type == onnx.TensorProto.BFLOAT16 and
            tensor.data_type == onnx.TensorProto.UINT16):
        tensor.data_type = onnx.TensorProto.BFLOAT16
    return tensor


def declared_dims(info):
    return [d.dim_value if d.HasField("dim_value") else -1
            for d in info.type.tensor_type.shape.dim]


def redeclare(info, tensor):
    """A few ONNX 1.12 tests declare an input shape their data does not
    have; the data wins, as in ONNX's own runner."""
    if declared_dims(info) != list(tensor.dims):
        shape = info.type.tensor_type.shape
        del shape.dim[:]
        for size in tensor.dims:
            shape.dim.add().dim_value = size


def needs_preparing(graph, data_sets):
    """True when the data needs bf16 relabelling or shape redeclaration."""
    if any(v.type.tensor_type.elem_type == onnx.TensorProto.BFLOAT16
           for v in list(graph.input) + list(graph.output)):
        return True
    for data in data_sets:
        for i, info in enumerate(graph.input):
            path = os.path.join(data, f"input_{i}.pb")
            if (os.path.exists(path) and
                    declared_dims(info) != list(read_tensor(path).dims)):
                return True
    return False


def prepare(folder, data, bound, work):
    """The inputs for compiling and running `folder`'s model on data set
    `data`, in `work`: the graph inputs `bound` are written as .npy files
    for --const-input and the other inputs are renumbered, since the program
    no longer takes the bound ones. bf16 data gets its dtype back, and when
    declared input shapes differ from the data, a copy of the model follows
    the data. Returns (model path, data folder, pp-opt flags)."""
    model_path = os.path.join(folder, "model.onnx")
    model = onnx.load(model_path)
    graph = model.graph
    os.makedirs(work)
    flags, kept, changed = [], 0, False
    inputs = []
    for i, info in enumerate(graph.input):
        path = os.path.join(data, f"input_{i}.pb")
        if not os.path.exists(path):
            changed = True  # an input without data is left out
            continue
        inputs.append(info)
        tensor = fix_bf16(read_tensor(path), info)
        if declared_dims(info) != list(tensor.dims):
            redeclare(info, tensor)
            changed = True
        if info.name in bound:
            npy = os.path.join(work, f"const_{i}.npy")
            np.save(npy, numpy_helper.to_array(tensor))
            flags.append(f"--const-input={info.name}={npy}")
        else:
            write_tensor(tensor, os.path.join(work, f"input_{kept}.pb"))
            kept += 1
    for i, info in enumerate(graph.output):
        path = os.path.join(data, f"output_{i}.pb")
        if os.path.exists(path):
            write_tensor(fix_bf16(read_tensor(path), info),
                         os.path.join(work, f"output_{i}.pb"))
    if changed:
        del graph.input[:]
        graph.input.extend(inputs)
        model_path = os.path.join(work, "model.onnx")
        onnx.save(model, model_path)
    return model_path, work, flags


class Failure(Exception):
    pass


def compile_model(pp_opt, model, out, timeout, flags=()):
    """Compiles `model` into `out`; returns pp-opt's stderr on failure."""
    env = dict(os.environ, PP_CXX_OPT="-O0")
    try:
        r = subprocess.run([pp_opt, model, "--target=cpu", "-o", out,
                            *flags],
                           capture_output=True, text=True, timeout=timeout,
                           env=env)
    except subprocess.TimeoutExpired:
        raise Failure(f"compile timed out after {timeout} s")
    except OSError as e:
        raise Failure(f"cannot run pp-opt: {e}")
    return r.stderr if r.returncode else None


def compile_reason(stderr, out):
    reason = first_error(stderr)
    log = os.path.join(out, "build.log")
    if "building" in reason and os.path.exists(log):
        with open(log, errors="replace") as f:
            reason = "build failed: " + first_error(f.read())
    return reason


def reference_array(tensor):
    """An output_N.pb as numpy; bf16 bits widen to float32."""
    if tensor.data_type == onnx.TensorProto.BFLOAT16:
        bits = (np.frombuffer(tensor.raw_data, np.uint16) if tensor.raw_data
                else np.array(tensor.int32_data, np.uint16))
        return (bits.astype(np.uint32) << 16).view(np.float32).reshape(
            tensor.dims)
    return numpy_helper.to_array(tensor)


def check_non_finite(graph, data, results, tolerance):
    """run's tolerance scales with max|ref|, which is inf when a reference
    holds inf, so it passes anything. Where a reference is not finite, the
    non-finite elements must match exactly and the finite ones within
    tolerance * max(1, max|finite ref|)."""
    for i, info in enumerate(graph.output):
        path = os.path.join(data, f"output_{i}.pb")
        if not os.path.exists(path):
            continue
        ref = reference_array(read_tensor(path))
        if ref.dtype.kind != "f" or np.isfinite(ref).all():
            continue
        name = re.sub(r"[^A-Za-z0-9._-]", "_", info.name)
        got = np.load(os.path.join(results, name + ".npy")).astype(np.float64)
        ref = ref.astype(np.float64)
        finite = np.isfinite(ref)
        if ((np.isnan(ref) != np.isnan(got)).any() or
                (np.isinf(ref) & (ref != got)).any()):
            raise Failure(f"mismatch: output {info.name}: inf/nan elements "
                          "differ from the reference")
        err = np.abs(got[finite] - ref[finite]).max(initial=0.0)
        bound = np.abs(ref[finite]).max(initial=0.0)
        if err > tolerance * max(1.0, bound):
            raise Failure(f"mismatch: output {info.name}: max_abs_err={err:g} "
                          f"over finite elements, max_abs_ref={bound:g}")


def run_data_set(run, data, results, tolerance, timeout):
    """Runs one test_data_set, writing outputs to `results`; raises Failure
    with the reason."""
    try:
        r = subprocess.run([run, "--test-data-dir", data, "--tolerance",
                            str(tolerance), "--output-dir", results],
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure(f"run timed out after {timeout} s")
    if r.returncode == 0:
        return
    if r.stderr.strip():
        raise Failure(first_error(r.stderr))
    # Numeric mismatch: the outputs' error figures.
    raise Failure("mismatch: " + "; ".join(
        l.strip() for l in r.stdout.splitlines() if l.startswith("output")))


def run_test(folder, pp_opt, tmp_root, timeout, tolerance, bind):
    """(name, reason or None, bound input names)."""
    name = os.path.basename(folder)
    work = tempfile.mkdtemp(prefix=name + ".", dir=tmp_root)
    data_sets = sorted(glob.glob(os.path.join(folder, "test_data_set_*")))
    model = os.path.join(folder, "model.onnx")
    graph = onnx.load(model, load_external_data=False).graph
    bound = set()
    try:
        out = os.path.join(work, "out")
        error = compile_model(pp_opt, model, out, timeout)
        # Follow the error's --const-input hint until the model compiles.
        while error and bind and data_sets:
            needed = set(CONST_INPUT_HINT.findall(error))
            if not needed or needed <= bound:
                break
            bound |= needed
            out = os.path.join(work, f"bound{len(bound)}")
            model_0, _, flags = prepare(folder, data_sets[0], bound,
                                        out + ".in")
            error = compile_model(pp_opt, model_0, out, timeout, flags)
        if error:
            raise Failure(compile_reason(error, out))
        per_set = bool(bound) or needs_preparing(graph, data_sets)
        for k, data in enumerate(data_sets):
            where = os.path.basename(data)
            try:
                if bound and k == 0:
                    data = out + ".in"  # compiled for this set just above
                elif per_set:
                    # Values differ per data set: one program each.
                    out = os.path.join(work, f"set{k}")
                    model_k, data, flags = prepare(folder, data, bound,
                                                   out + ".in")
                    error = compile_model(pp_opt, model_k, out, timeout,
                                          flags)
                    if error:
                        raise Failure(compile_reason(error, out))
                results = os.path.join(work, f"results{k}")
                run_data_set(os.path.join(out, "run"), data, results,
                             tolerance, timeout)
                check_non_finite(graph, data, results, tolerance)
            except Failure as f:
                raise Failure(f"{where}: {f}")
        return name, None, bound
    except Failure as f:
        return name, str(f), bound
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pp-opt",
                        default=os.path.join(REPO, "build", "bin", "pp-opt"))
    parser.add_argument("--data-dir", default=DEFAULT_DATA)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60,
                        help="seconds per compile and per data set run")
    parser.add_argument("--tolerance", type=float, default=1e-4,
                        help="passed to run: max_abs_err <= T*max(1,|ref|)")
    parser.add_argument("--filter", help="only tests matching this regex")
    parser.add_argument("--no-bind", dest="bind", action="store_false",
                        help="do not follow the --const-input hint with the "
                             "data set's values (the strict figure)")
    parser.add_argument("--min-pass-rate", type=float, default=0.0)
    parser.add_argument("--list-failures", metavar="FILE",
                        help="also write 'test: reason' lines to FILE")
    parser.add_argument("--expected-failures", metavar="FILE",
                        help="'test: reason' lines; any other failure, or a "
                             "listed test that passes or is not selected, "
                             "fails the run")
    parser.add_argument("--expect-selected", type=int, metavar="N",
                        help="fail unless exactly N tests are selected")
    parser.add_argument("--list-selected", action="store_true",
                        help="print the selected tests and stop")
    args = parser.parse_args()

    pp_opt = shutil.which(args.pp_opt) or args.pp_opt
    if not os.access(pp_opt, os.X_OK):
        sys.exit(f"error: pp-opt not found at {args.pp_opt}")
    if not os.path.isdir(args.data_dir):
        sys.exit(f"error: no ONNX node tests in {args.data_dir} "
                 "(Debian package libonnx-testdata)")

    start = time.monotonic()
    tmp_root = tempfile.mkdtemp(prefix="pp-conformance.")
    try:
        # A snapshot, so that a rebuild during the run does not disturb it
        # (its rpath also names LLVM's folder, so the copy loads).
        snapshot = os.path.join(tmp_root, "pp-opt")
        shutil.copy2(pp_opt, snapshot)
        pp_opt = snapshot
        supported = supported_ops(pp_opt, tmp_root)
        tests = select_tests(args.data_dir, supported, args.filter)
        if args.list_selected:
            print("\n".join(os.path.basename(t) for t in tests))
            return 0
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(
                lambda t: run_test(t, pp_opt, tmp_root, args.timeout,
                                   args.tolerance, args.bind), tests))
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)

    failures = [(name, reason) for name, reason, _ in results if reason]
    for name, reason in failures:
        print(f"FAIL {name}: {reason}")
    if args.list_failures:
        with open(args.list_failures, "w") as f:
            for name, reason in failures:
                f.write(f"{name}: {reason}\n")
    bound = sum(1 for _, reason, names in results if names and not reason)
    total = len(results)
    passed = total - len(failures)
    rate = passed / total if total else 0.0
    print(f"conformance: {passed} passed/{total} total ({100 * rate:.1f}%) "
          "over node tests of supported ops")
    # A test binds inputs only after failing to compile without them, so
    # the strict figure is the passes that needed no --const-input.
    strict = passed - bound
    print(f"strict: {strict} passed/{total} total "
          f"({100 * strict / total if total else 0.0:.1f}%) with every input "
          f"given at run time; {bound} more pass following the --const-input "
          "hint")
    print(f"wall time: {time.monotonic() - start:.1f} s with {args.jobs} jobs",
          file=sys.stderr)
    status = 0
    if args.expected_failures:
        status |= check_expected(args.expected_failures, results, args.filter)
    if args.expect_selected is not None and total != args.expect_selected:
        print(f"error: {total} tests selected, expected "
              f"{args.expect_selected}: a change in the supported ops or the "
              "test data; update the count and the expected failures")
        status = 1
    if rate < args.min_pass_rate:
        print(f"error: pass rate {100 * rate:.1f}% is below the minimum "
              f"{100 * args.min_pass_rate:.1f}%", file=sys.stderr)
        status = 1
    return status


def check_expected(path, results, pattern):
    """1 when the failures differ from the committed list, else 0."""
    expected = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, reason = line.partition(":")
                expected[name.strip()] = reason.strip()
    if pattern:
        expected = {n: r for n, r in expected.items() if re.search(pattern, n)}
    outcome = {name: reason for name, reason, _ in results}
    problems = []
    for name, reason in sorted(outcome.items()):
        if reason and name not in expected:
            problems.append(f"unexpected failure {name}: {reason}")
        elif not reason and name in expected:
            problems.append(f"unexpected pass {name} (listed: "
                            f"{expected[name]}); remove it from {path}")
    for name in sorted(set(expected) - set(outcome)):
        problems.append(f"{name} is listed in {path} but not selected")
    for problem in problems:
        print(f"error: {problem}")
    if not problems:
        print(f"expected failures: all {len(expected)} as listed in "
              f"{os.path.basename(path)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
