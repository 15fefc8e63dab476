#!/usr/bin/python3
"""ONNX backend node tests through pp's cpu target.

    onnx_conformance.py [--pp-opt PATH] [--jobs 2] [--min-pass-rate 0.95]
                        [--list-failures FILE] [--filter REGEX]

Selects the node tests of Debian's libonnx-testdata whose graph uses only
ops pp supports: every node must be in the default domain and its op type in
the importer's list (the `*_expanded` function bodies count under the ops
they contain). The list comes from pp-opt itself: the diagnostic it prints
for an unsupported op names every supported one, so it cannot go stale.

Each selected test is compiled with `pp-opt --target=cpu` into a temporary
folder and every test_data_set_N is run through `run --test-data-dir`; a
test passes only if all its data sets do. Programs are built at -O0
(PP_CXX_OPT) since they run once on tiny tensors. Prints one line per
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

import onnx
from onnx import helper

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
    """The first line that reads like an error, else the first line."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for line in lines:
        if "error" in line:
            return line
    return lines[0] if lines else "(no output)"


def run_test(folder, pp_opt, tmp_root, timeout, tolerance):
    """(name, None) on success, (name, reason) on failure."""
    name = os.path.basename(folder)
    work = tempfile.mkdtemp(prefix=name + ".", dir=tmp_root)
    env = dict(os.environ, PP_CXX_OPT="-O0")
    try:
        out = os.path.join(work, "out")
        try:
            r = subprocess.run(
                [pp_opt, os.path.join(folder, "model.onnx"), "--target=cpu",
                 "-o", out], capture_output=True, text=True, timeout=timeout,
                env=env)
        except subprocess.TimeoutExpired:
            return name, f"compile timed out after {timeout} s"
        if r.returncode != 0:
            reason = first_error(r.stderr).replace(folder + "/", "")
            log = os.path.join(out, "build.log")
            if "building" in reason and os.path.exists(log):
                with open(log, errors="replace") as f:
                    reason = "build failed: " + first_error(f.read())
            return name, reason
        for data in sorted(glob.glob(os.path.join(folder, "test_data_set_*"))):
            try:
                r = subprocess.run(
                    [os.path.join(out, "run"), "--test-data-dir", data,
                     "--tolerance", str(tolerance)],
                    capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                return name, f"run timed out after {timeout} s"
            if r.returncode != 0:
                where = os.path.basename(data)
                if r.stderr.strip():
                    return name, f"{where}: {first_error(r.stderr)}"
                # Numeric mismatch: the outputs' error figures.
                figures = "; ".join(l.strip() for l in r.stdout.splitlines()
                                    if l.startswith("output"))
                return name, f"{where}: mismatch: {figures}"
        return name, None
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
    parser.add_argument("--min-pass-rate", type=float, default=0.0)
    parser.add_argument("--list-failures", metavar="FILE",
                        help="also write 'test: reason' lines to FILE")
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
        supported = supported_ops(pp_opt, tmp_root)
        tests = select_tests(args.data_dir, supported, args.filter)
        if args.list_selected:
            print("\n".join(os.path.basename(t) for t in tests))
            return 0
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(
                lambda t: run_test(t, pp_opt, tmp_root, args.timeout,
                                   args.tolerance), tests))
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)

    failures = [(name, reason) for name, reason in results if reason]
    for name, reason in failures:
        print(f"FAIL {name}: {reason}")
    if args.list_failures:
        with open(args.list_failures, "w") as f:
            for name, reason in failures:
                f.write(f"{name}: {reason}\n")
    total = len(results)
    passed = total - len(failures)
    rate = passed / total if total else 0.0
    print(f"conformance: {passed} passed/{total} total ({100 * rate:.1f}%) "
          "over node tests of supported ops")
    print(f"wall time: {time.monotonic() - start:.1f} s with {args.jobs} jobs",
          file=sys.stderr)
    if rate < args.min_pass_rate:
        print(f"error: pass rate {100 * rate:.1f}% is below the minimum "
              f"{100 * args.min_pass_rate:.1f}%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
