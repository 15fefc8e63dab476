#!/usr/bin/python3
"""Compiles a model for several parallel plans and checks every run against
the single-device program's outputs.

    check_parallel.py PP_OPT MODEL_DIR WORK [--tol 1e-5] [--mpirun]
                      [--torch-tol 1e-4] [--compile-arg=ARG ...]
                      --plan pp=2,tp=1 --plan pp=1,tp=2,microbatches=4 ...

First compiles MODEL_DIR/model.onnx with no parallel flags and runs it: its
outputs are the reference, and are themselves checked against torch's
MODEL_DIR/ref_<name>.npy within --torch-tol (a line "single device vs
torch"). --compile-arg adds a pp-opt flag to every compile (e.g.
--input-shape for an export with symbolic dims). Then, per --plan (pp-opt flags), compiles into
WORK/<n> (each key=value becomes pp-opt's --key=value), runs it on pp*tp*dp ranks as threads (`run --ranks N`) and, with
--mpirun, as processes (`mpirun -np N run`), and checks each output:
max|got - single| <= tol * max(1, max|single|). Prints one line per plan and
launcher and exits 1 on any failure.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

import numpy as np


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, **kw)
    return p.returncode, p.stdout


def inputs_of(model_dir):
    args = []
    for path in sorted(glob.glob(os.path.join(model_dir, "*.npy"))):
        name = os.path.basename(path)[:-4]
        if not name.startswith("ref_"):
            args += ["--input", f"{name}={path}"]
    return args


def ranks_of(flags):
    n = 1
    for axis in ("pp", "tp", "dp"):
        m = re.search(rf"--{axis}[= ](\d+)", flags)
        n *= int(m.group(1)) if m else 1
    return n


def compare(got_dir, ref_dir, tol):
    worst, ok = 0.0, True
    refs = sorted(glob.glob(os.path.join(ref_dir, "*.npy")))
    outputs = sorted(glob.glob(os.path.join(got_dir, "*.npy")))
    # No reference would make every plan pass: count them.
    if not refs:
        return False, f"the single-device run wrote no output to {ref_dir}"
    if len(outputs) != len(refs):
        return False, f"{len(outputs)} outputs, the single-device run wrote {len(refs)}"
    for ref_path in refs:
        name = os.path.basename(ref_path)
        ref = np.load(ref_path)
        got_path = os.path.join(got_dir, name)
        if not os.path.exists(got_path):
            return False, f"{name} missing"
        got = np.load(got_path)
        if got.shape != ref.shape or got.dtype != ref.dtype:
            return False, f"{name} is {got.dtype}{got.shape}, expected {ref.dtype}{ref.shape}"
        if ref.size == 0:
            continue
        err = float(np.abs(got.astype(np.float64) - ref.astype(np.float64)).max())
        bound = tol * max(1.0, float(np.abs(ref.astype(np.float64)).max()))
        worst = max(worst, err / bound)
        ok &= err <= bound
    return ok, f"max err/bound {worst:.3g}"


def compare_to_torch(got_dir, model_dir, tol):
    """Checks every MODEL_DIR/ref_<name>.npy (torch's outputs) against
    got_dir/<name>.npy; a model folder without references fails."""
    refs = sorted(glob.glob(os.path.join(model_dir, "ref_*.npy")))
    if not refs:
        return False, f"no ref_*.npy in {model_dir}"
    worst = 0.0
    for ref_path in refs:
        name = os.path.basename(ref_path)[len("ref_"):]
        got_path = os.path.join(got_dir, name)
        if not os.path.exists(got_path):
            return False, f"{name} missing"
        ref, got = np.load(ref_path).astype(np.float64), np.load(got_path)
        if got.shape != ref.shape:
            return False, f"{name} has shape {got.shape}, torch {ref.shape}"
        if ref.size == 0:
            continue
        err = float(np.abs(got.astype(np.float64) - ref).max())
        worst = max(worst, err / (tol * max(1.0, float(np.abs(ref).max()))))
    return worst <= 1.0, f"max err/bound {worst:.3g}"


def main():
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # OpenMPI refuses to run as root without both opt-ins.
        os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    ap = argparse.ArgumentParser()
    ap.add_argument("pp_opt")
    ap.add_argument("model_dir")
    ap.add_argument("work")
    ap.add_argument("--tol", type=float, default=1e-5)
    ap.add_argument("--plan", action="append", default=[])
    ap.add_argument("--mpirun", action="store_true")
    ap.add_argument("--torch-tol", type=float, default=1e-4)
    ap.add_argument("--compile-arg", action="append", default=[])
    a = ap.parse_args()

    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    model = os.path.join(a.model_dir, "model.onnx")
    inputs = inputs_of(a.model_dir)
    single = os.path.join(a.work, "single")
    rc, out = run([a.pp_opt, model, *a.compile_arg, "--target=cpu", "-o", single])
    ref = os.path.join(single, "res")
    if rc == 0:
        rc, out = run([os.path.join(single, "run"), *inputs, "--output-dir", ref])
    if rc != 0:
        print(f"single device: FAIL\n{out}")
        return 1
    torch_ok, detail = compare_to_torch(ref, a.model_dir, a.torch_tol)
    print(f"single device vs torch: {'ok' if torch_ok else 'FAIL'} ({detail})")

    failed = not torch_ok
    for k, flags in enumerate(a.plan):
        folder = os.path.join(a.work, str(k))
        args = ["--" + kv for kv in re.split(r",(?=[a-z-]+=)", flags)]
        flags = " ".join(args)
        rc, out = run([a.pp_opt, model, *a.compile_arg, *args, "--target=cpu",
                       "-o", folder])
        if rc != 0:
            print(f"[{flags}] compile: FAIL\n{out}")
            failed = True
            continue
        n = ranks_of(flags)
        launchers = [("ranks", [os.path.join(folder, "run"), "--ranks", str(n)])]
        if a.mpirun:
            launchers.append(("mpirun", ["mpirun", "--oversubscribe", "-np", str(n),
                                         os.path.join(folder, "run")]))
        for name, cmd in launchers:
            res = os.path.join(folder, "res-" + name)
            rc, out = run([*cmd, *inputs, "--output-dir", res])
            if rc != 0:
                print(f"[{flags}] {name} {n}: FAIL (exit {rc})\n{out}")
                failed = True
                continue
            ok, detail = compare(res, ref, a.tol)
            print(f"[{flags}] {name} {n}: {'ok' if ok else 'FAIL'} ({detail})")
            failed |= not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
