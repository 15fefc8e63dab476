#!/usr/bin/python3
"""Checks that two plans' training runs agree.

    compare_training_runs.py WORK PLAN_A PLAN_B [--tol 1e-6]

WORK is a python/check_parallel_training.py work folder; PLAN_A and PLAN_B
are two of its plans' folder names (such as dp-4 and dp-4-zero-1). Every
step-1 gradient (PLAN/grads) must agree within TOL * max(1, max|g|), and
every loss of each optimizer's curve (PLAN-OPT/res/loss.npy) within TOL
relative. Prints one line; exits 1 on a difference.
"""

import argparse
import glob
import os
import sys

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--tol", type=float, default=1e-6)
    args = ap.parse_args()
    worst, compared = 0.0, 0
    for path in sorted(glob.glob(os.path.join(args.work, args.a, "grads", "*.npy"))):
        ref = np.load(path).astype(np.float64)
        got = np.load(os.path.join(args.work, args.b, "grads", os.path.basename(path)))
        worst = max(worst, float(np.abs(got - ref).max()) / max(1.0, float(np.abs(ref).max())))
        compared += 1
    curves = 0
    for path in sorted(glob.glob(os.path.join(args.work, args.a + "-*", "res", "loss.npy"))):
        optimizer = path.split(os.sep)[-3][len(args.a) + 1:]
        other = os.path.join(args.work, f"{args.b}-{optimizer}", "res", "loss.npy")
        if not os.path.exists(other):
            continue
        ref = np.load(path).astype(np.float64)
        got = np.load(other).astype(np.float64)
        worst = max(worst, float(np.abs(got - ref).max() / np.abs(ref).max()))
        curves += 1
    ok = compared > 0 and curves > 0 and worst <= args.tol
    print(f"{args.b} vs {args.a}: {compared} gradients, {curves} curves, "
          f"worst rel err {worst:.2g}: {'ok' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
