#!/usr/bin/python3
"""Trains a model with pp and checks it against torch autograd and torch.optim.

    check_training.py PP_OPT MODEL_DIR WORK [--steps 10] [--curve-tol 1e-4]
                      [--compile-arg=ARG ...]

MODEL_DIR is an exporter's --train folder (python/_export_common.py):
model.onnx; train/ with the inputs, labels.npy, torch's ref_loss.npy and
ref_<weight>.npy (step-1 gradients); train/curves/ with two-batch inputs,
flags.txt ("name: pp-opt flags" per optimizer) and torch's losses
<name>.npy.

1. Gradients: compiles `pp-opt model.onnx --train`, runs one step with
   --dump-grads and checks the loss and every torch gradient g:
   max|pp - g| <= 1e-4 * max(1, max|g|) and <= 1e-5 * max|g| + 1e-8.
2. Curves: per optimizer, compiles with its flags, runs --steps N (step s
   uses batch s mod 2) and checks loss.npy against torch's:
   max |pp - torch| / |torch| <= --curve-tol.
Prints one line per check (and per failing weight); exits 1 on a failure.
"""

import argparse
import glob
import os
import shlex
import subprocess
import sys

import numpy as np


def npy_inputs(folder, skip=()):
    args = []
    for path in sorted(glob.glob(os.path.join(folder, "*.npy"))):
        name = os.path.basename(path)[:-4]
        if not name.startswith("ref_") and name not in skip:
            args += ["--input", f"{name}={path}"]
    return args


def compile_and_run(a, out, flags, inputs, steps, extra=()):
    model = os.path.join(a.model_dir, "model.onnx")
    p = subprocess.run([a.pp_opt, model, "--train", *flags, *a.compile_arg,
                        "--target=cpu", "-o", out], capture_output=True, text=True)
    if p.returncode:
        return f"compile FAIL\n{p.stderr}"
    p = subprocess.run([os.path.join(out, "run"), *inputs, "--steps", str(steps),
                        "--output-dir", os.path.join(out, "res"), *extra],
                       capture_output=True, text=True)
    if p.returncode:
        return f"run FAIL\n{p.stdout}{p.stderr}"
    return None


def check_gradients(a):
    train = os.path.join(a.model_dir, "train")
    out = os.path.join(a.work, "grads")
    grads = os.path.join(out, "dumped")
    err = compile_and_run(a, out, [], npy_inputs(train), 1, ["--dump-grads", grads])
    if err:
        print(f"gradients: {err}")
        return False
    ok, worst, count = True, 0.0, 0
    for ref_path in sorted(glob.glob(os.path.join(train, "ref_*.npy"))):
        name = os.path.basename(ref_path)[len("ref_"):]
        ref = np.load(ref_path).astype(np.float64)
        if name == "loss.npy":
            got = np.load(os.path.join(out, "res", "loss.npy"))[:1].reshape(())
        elif os.path.exists(os.path.join(grads, name)):
            got = np.load(os.path.join(grads, name))
            count += 1
        else:
            print(f"gradient {name}: MISSING")
            ok = False
            continue
        if got.shape != ref.shape:
            print(f"{name}: shape {got.shape}, torch {ref.shape}: FAIL")
            ok = False
            continue
        scale = float(np.abs(ref).max()) if ref.size else 0.0
        e = float(np.abs(got.astype(np.float64) - ref).max()) if ref.size else 0.0
        ratio = max(e / (1e-4 * max(1.0, scale)), e / (1e-5 * scale + 1e-8))
        worst = max(worst, ratio)
        if ratio > 1:
            print(f"{name}: max_abs_err={e:.3g} max|torch|={scale:.3g} FAIL")
            ok = False
    print(f"gradients: loss and {count} weights, worst err/bound {worst:.3g} "
          f"{'ok' if ok else 'FAIL'}")
    return ok


def check_curves(a):
    curves = os.path.join(a.model_dir, "train", "curves")
    optimizers = [line.strip().split(":", 1)
                  for line in open(os.path.join(curves, "flags.txt"))]
    inputs = npy_inputs(curves, skip={name for name, _ in optimizers})
    ok = True
    for name, flags in optimizers:
        out = os.path.join(a.work, name)
        err = compile_and_run(a, out, shlex.split(flags), inputs, a.steps)
        if err:
            print(f"{name}: {err}")
            ok = False
            continue
        got = np.load(os.path.join(out, "res", "loss.npy")).astype(np.float64)
        ref = np.load(os.path.join(curves, f"{name}.npy")).astype(np.float64)
        if got.shape != ref.shape:
            print(f"{name}: {got.shape[0]} losses, torch {ref.shape[0]}: FAIL")
            ok = False
            continue
        rel = float(np.max(np.abs(got - ref) / np.abs(ref)))
        good = rel <= a.curve_tol
        ok &= good
        print(f"{name}: {a.steps} steps, loss {ref[0]:.4f} -> {ref[-1]:.4f}, "
              f"max rel err {rel:.2e} {'ok' if good else 'FAIL'}")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pp_opt")
    ap.add_argument("model_dir")
    ap.add_argument("work")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--curve-tol", type=float, default=1e-4)
    ap.add_argument("--compile-arg", action="append", default=[])
    a = ap.parse_args()
    ok = check_gradients(a)
    ok &= check_curves(a)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
