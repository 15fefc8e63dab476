#!/usr/bin/python3
"""Runs a compiled pp program on a model folder's inputs and judges it.

    run_and_compare.py OUT/run MODEL_DIR [--tol 1e-4] [--res DIR]
                       [--launcher "mpirun -np 2"] [--relative]
                       [-- RUN_ARGS...]

Feeds every MODEL_DIR/<input>.npy (all .npy files but ref_*) as
`--input <input>=<file>`, writes outputs to --res (default OUT/res), then
checks each MODEL_DIR/ref_<name>.npy against the result:
max|a - b| <= tol * max(1, max|ref|), or with --relative
tol * max|ref| + 1e-8 (for small values such as gradients; the floor
absorbs f32 noise on values that are 0 in exact arithmetic, such as the
gradient of an attention key bias). Prints one line per output and exits 1
when the run fails or any output is missing, misshapen or off. Arguments
after `--` go to the program (e.g. `--ranks 4`); --launcher prefixes the
command (e.g. `mpirun -np 2`).
"""

import argparse
import glob
import os
import shlex
import subprocess
import sys

import numpy as np


def compare(result_dir, ref_dir, tol, relative=False):
    refs = sorted(glob.glob(os.path.join(ref_dir, "ref_*.npy")))
    if not refs:
        print(f"error: no ref_*.npy in {ref_dir}")
        return False
    ok = True
    for ref_path in refs:
        name = os.path.basename(ref_path)[len("ref_"):]
        ref = np.load(ref_path)
        got_path = os.path.join(result_dir, name)
        if not os.path.exists(got_path):
            print(f"{name}: MISSING")
            ok = False
            continue
        got = np.load(got_path)
        if got.shape != ref.shape:
            print(f"{name}: shape {got.shape} != reference {ref.shape}")
            ok = False
            continue
        err = float(np.abs(got.astype(np.float64) - ref).max()) if ref.size else 0.0
        scale = float(np.abs(ref).max()) if ref.size else 0.0
        bound = tol * scale + 1e-8 if relative else tol * max(1.0, scale)
        good = err <= bound
        ok &= good
        print(f"{name}: max_abs_err={err:.3g} bound={bound:.3g} {'ok' if good else 'FAIL'}")
    return ok


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    parser = argparse.ArgumentParser()
    parser.add_argument("program")
    parser.add_argument("model_dir")
    parser.add_argument("--tol", type=float, default=1e-4)
    parser.add_argument("--res")
    parser.add_argument("--launcher", default="")
    parser.add_argument("--relative", action="store_true")
    args = parser.parse_args(argv)

    res = args.res or os.path.join(os.path.dirname(args.program), "res")
    os.makedirs(res, exist_ok=True)
    command = shlex.split(args.launcher) + [args.program]
    for path in sorted(glob.glob(os.path.join(args.model_dir, "*.npy"))):
        name = os.path.basename(path)[:-len(".npy")]
        if not name.startswith("ref_"):
            command += ["--input", f"{name}={path}"]
    command += ["--output-dir", res] + extra
    run = subprocess.run(command)
    if run.returncode != 0:
        print(f"error: {' '.join(command)} exited with {run.returncode}")
        return 1
    return 0 if compare(res, args.model_dir, args.tol, args.relative) else 1


if __name__ == "__main__":
    sys.exit(main())
