#!/usr/bin/python3
"""Trains a model under parallel plans and checks it against one device and torch.

    check_parallel_training.py PP_OPT MODEL_DIR WORK --plan "FLAGS" ...
                               [--steps 10] [--mpirun] [--compile-arg=ARG ...]

MODEL_DIR is an exporter's --train folder (see check_training.py). For each
optimizer of train/curves/flags.txt the single-device program runs --steps
steps; then each plan ("--pp=2 --microbatches=2 --schedule=1f1b", ...) is
compiled with the same flags and run with --ranks N (or mpirun -np N):

1. step-1 gradients (--dump-grads) of every weight equal the single-device
   program's within 1e-5 * max(1, max|g|), and torch's within
   1e-4 * max(1, max|g|);
2. per optimizer, the loss curve equals the single-device one within 1e-5
   relative, and torch's within 1e-4;
3. checkpoints (the first optimizer): half the steps saved (--save-weights)
   and the rest resumed (--resume) give the losses and the saved model of
   the straight run bit for bit, and the straight run's saved weights equal
   the single-device run's within 1e-5 * max(1, max|w|).
Prints one line per check; exits 1 on a failure.
"""

import argparse
import glob
import os
import re
import shlex
import subprocess
import sys

import numpy as np

from check_training import npy_inputs
from rank_launch import run_ranks


def compile_program(a, out, flags):
    model = os.path.join(a.model_dir, "model.onnx")
    p = subprocess.run([a.pp_opt, model, "--train", *flags, *a.compile_arg,
                        "--target=cpu", "-o", out], capture_output=True, text=True)
    return p.returncode == 0 or print(f"compile FAIL {' '.join(flags)}\n{p.stderr}")


def run_program(a, out, inputs, steps, extra=()):
    run = [os.path.join(out, "run"), *inputs, "--steps", str(steps),
           "--output-dir", os.path.join(out, "res"), *extra]
    p = run_ranks(out, run, a.mpirun)
    if p.returncode:
        print(f"run FAIL {out}\n{p.stdout}{p.stderr}")
        return None
    return np.load(os.path.join(out, "res", "loss.npy")).astype(np.float64)


def worst_gradient(got_dir, ref_dir, prefix=""):
    """max over weights of max|got - ref| / max(1, max|ref|), and the count."""
    worst, count = 0.0, 0
    for ref_path in sorted(glob.glob(os.path.join(ref_dir, prefix + "*.npy"))):
        name = os.path.basename(ref_path)[len(prefix):]
        if name == "loss.npy":
            continue
        path = os.path.join(got_dir, name)
        if not os.path.exists(path):
            return float("inf"), name
        ref = np.load(ref_path).astype(np.float64)
        got = np.load(path).astype(np.float64)
        if got.shape != ref.shape:
            return float("inf"), name
        scale = max(1.0, float(np.abs(ref).max()) if ref.size else 0.0)
        worst = max(worst, float(np.abs(got - ref).max()) / scale if ref.size else 0.0)
        count += 1
    return worst, count


def initializers(path):
    import onnx
    from onnx import numpy_helper
    model = onnx.load(path)
    return {t.name: numpy_helper.to_array(t).astype(np.float64)
            for t in model.graph.initializer}


def check_checkpoint(a, plan, out, inputs, straight, single_saved):
    k = a.steps // 2
    half, rest = os.path.join(out, "ckpt-half"), os.path.join(out, "ckpt-rest")
    first = run_program(a, out, inputs, k, ["--save-weights", half])
    second = first is not None and run_program(
        a, out, inputs, a.steps - k, ["--resume", half, "--save-weights", rest])
    if first is None or second is None or second is False:
        return False
    whole = os.path.join(out, "ckpt-whole")
    if run_program(a, out, inputs, a.steps, ["--save-weights", whole]) is None:
        return False
    exact = (np.array_equal(np.concatenate([first, second]), straight) and
             open(os.path.join(rest, "model.onnx"), "rb").read() ==
             open(os.path.join(whole, "model.onnx"), "rb").read())
    mine, theirs = initializers(os.path.join(whole, "model.onnx")), initializers(single_saved)
    worst = max(float(np.abs(mine[n] - theirs[n]).max()) / max(1.0, float(np.abs(theirs[n]).max()))
                for n in theirs if theirs[n].size)
    good = exact and worst <= 1e-5 and set(mine) == set(theirs)
    print(f"{plan} checkpoint: {k} + {a.steps - k} resumed steps "
          f"{'equal' if exact else 'differ from'} {a.steps} straight bit for bit; "
          f"saved weights vs one device {worst:.2g} {'ok' if good else 'FAIL'}")
    return good


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("pp_opt")
    parser.add_argument("model_dir")
    parser.add_argument("work")
    parser.add_argument("--plan", action="append", required=True)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--mpirun", action="store_true")
    parser.add_argument("--compile-arg", action="append", default=[])
    a = parser.parse_args()
    train = os.path.join(a.model_dir, "train")
    curves = os.path.join(train, "curves")
    optimizers = [line.strip().split(":", 1)
                  for line in open(os.path.join(curves, "flags.txt"))]
    curve_inputs = npy_inputs(curves, skip={name for name, _ in optimizers})
    ok = True

    # One device: step-1 gradients and each optimizer's curve.
    single = os.path.join(a.work, "single")
    base = {}
    if not compile_program(a, single, []) or run_program(
            a, single, npy_inputs(train), 1,
            ["--dump-grads", os.path.join(single, "grads")]) is None:
        return 1
    for name, flags in optimizers:
        out = os.path.join(a.work, "single-" + name)
        if not compile_program(a, out, shlex.split(flags)):
            return 1
        save = ["--save-weights", os.path.join(out, "saved")] if not base else []
        base[name] = run_program(a, out, curve_inputs, a.steps, save)
        if base[name] is None:
            return 1

    first = optimizers[0][0]
    single_saved = os.path.join(a.work, "single-" + first, "saved", "model.onnx")

    for plan in a.plan:
        tag = re.sub(r"[^A-Za-z0-9]+", "-", plan).strip("-")
        out = os.path.join(a.work, tag)
        grads = os.path.join(out, "grads")
        if not compile_program(a, out, shlex.split(plan)) or run_program(
                a, out, npy_inputs(train), 1, ["--dump-grads", grads]) is None:
            ok = False
            continue
        vs_single, n = worst_gradient(grads, os.path.join(single, "grads"))
        vs_torch, _ = worst_gradient(grads, train, "ref_")
        good = vs_single <= 1e-5 and vs_torch <= 1e-4
        ok &= good
        print(f"{plan}: gradients of {n} weights, err vs one device "
              f"{vs_single:.2g}, vs torch {vs_torch:.2g} {'ok' if good else 'FAIL'}")
        for name, flags in optimizers:
            out = os.path.join(a.work, tag + "-" + name)
            if not compile_program(a, out, shlex.split(plan) + shlex.split(flags)):
                ok = False
                continue
            got = run_program(a, out, curve_inputs, a.steps)
            if got is None:
                ok = False
                continue
            ref = np.load(os.path.join(curves, f"{name}.npy")).astype(np.float64)
            vs_single = float(np.max(np.abs(got - base[name]) / np.abs(base[name])))
            vs_torch = float(np.max(np.abs(got - ref[:a.steps]) / np.abs(ref[:a.steps])))
            good = vs_single <= 1e-5 and vs_torch <= 1e-4
            ok &= good
            print(f"{plan} {name}: {a.steps} steps, rel err vs one device "
                  f"{vs_single:.2g}, vs torch {vs_torch:.2g} {'ok' if good else 'FAIL'}")
            if name == first:
                ok &= check_checkpoint(a, plan, out, curve_inputs, got, single_saved)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
