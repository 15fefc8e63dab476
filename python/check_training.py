#!/usr/bin/python3
"""Trains a model with pp and checks it against torch autograd and torch.optim.

    check_training.py PP_OPT MODEL_DIR WORK [--steps 10] [--curve-tol 1e-4]
                      [--compile-arg=ARG ...]
    check_training.py - MODEL_DIR WORK --program OUT/run [--run-arg=--ranks=2]
                                                           # gradients only

With --program (a machine without pp-opt, such as the GPU machine of
scripts/gpu-check.sh), only check 1 runs, on that compiled program.

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
   Recompute: the first optimizer again with --recompute=full gives the
   same losses (1e-6 relative) with fewer activation bytes reported by
   `run --report-memory`, each equal to plan.json's prediction.
3. Checkpoints (the first optimizer): k steps saved (--save-weights) and
   N - k resumed (--resume) give the losses and saved files of N straight,
   bit for bit; the saved model.onnx, compiled by pp-opt for inference,
   gives torch's trained outputs within 1e-4 * max(1, max|ref|).
Prints one line per check (and per failing weight); exits 1 on a failure.
"""

import argparse
import glob
import json
import os
import re
import shlex
import subprocess
import sys

import numpy as np


# pp-opt flags that only --train takes: left out when the saved model is
# compiled for inference.
TRAINING_FLAGS = ("--logits", "--labels", "--loss", "--trainable", "--frozen",
                  "--optimizer", "--lr", "--momentum", "--weight-decay",
                  "--betas", "--eps", "--grad-clip", "--recompute", "--no-tie")


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
    if a.program:
        p = subprocess.run([a.program, *a.run_arg, *npy_inputs(train), "--steps", "1",
                            "--output-dir", os.path.join(out, "res"),
                            "--dump-grads", grads], capture_output=True, text=True)
        err = p.returncode and f"run FAIL\n{p.stdout}{p.stderr}"
    else:
        err = compile_and_run(a, out, [], npy_inputs(train), 1,
                              ["--dump-grads", grads])
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
        ratio = (e / (a.rel_tol * max(1.0, scale)) if a.rel_tol else
                 max(e / (1e-4 * max(1.0, scale)), e / (1e-5 * scale + 1e-8)))
        worst = max(worst, ratio)
        if ratio > 1:
            print(f"{name}: max_abs_err={e:.3g} max|torch|={scale:.3g} FAIL")
            ok = False
    # Every trained weight is a torch parameter: a gradient torch does not
    # have (an untied copy, say) is a weight pp trains apart.
    for path in sorted(glob.glob(os.path.join(grads, "*.npy"))):
        if not os.path.exists(os.path.join(train, "ref_" + os.path.basename(path))):
            print(f"gradient {os.path.basename(path)}: no torch parameter FAIL")
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


def check_checkpoints(a):
    curves = os.path.join(a.model_dir, "train", "curves")
    name, flags = open(os.path.join(curves, "flags.txt")).readline().strip().split(":", 1)
    inputs = npy_inputs(curves, skip={line.split(":")[0]
                                      for line in open(os.path.join(curves, "flags.txt"))})
    run = os.path.join(a.work, name, "run")  # compiled by check_curves
    k = a.steps // 2
    def steps(n, res, *extra):
        p = subprocess.run([run, *inputs, "--steps", str(n), "--output-dir",
                            os.path.join(a.work, res), *extra],
                           capture_output=True, text=True)
        return p.returncode == 0 or print(f"checkpoint: run FAIL\n{p.stdout}{p.stderr}")
    ck = lambda d: os.path.join(a.work, d)
    if not (steps(a.steps, "straight", "--save-weights", ck("ck-straight")) and
            steps(k, "first", "--save-weights", ck("ck-first")) and
            steps(a.steps - k, "rest", "--resume", ck("ck-first"),
                  "--save-weights", ck("ck-resumed"))):
        return False
    loss = lambda d: np.load(os.path.join(a.work, d, "loss.npy"))
    same_losses = np.array_equal(loss("straight"),
                                 np.concatenate([loss("first"), loss("rest")]))
    same_files = all(
        open(os.path.join(ck("ck-straight"), f), "rb").read() ==
        open(os.path.join(ck("ck-resumed"), f), "rb").read()
        for f in ["model.onnx", "step.txt"] + [
            os.path.join("optimizer", o)
            for o in os.listdir(os.path.join(ck("ck-straight"), "optimizer"))])
    ok = same_losses and same_files
    print(f"resume: {k} + {a.steps - k} steps equal {a.steps} straight "
          f"(losses {'equal' if same_losses else 'DIFFER'}, checkpoint "
          f"{'equal' if same_files else 'DIFFERS'}) {'ok' if ok else 'FAIL'}")
    # The saved model is an ordinary ONNX model.
    out = os.path.join(a.work, "reloaded")
    plain = [c for c in a.compile_arg if not c.startswith(TRAINING_FLAGS)]
    p = subprocess.run([a.pp_opt, os.path.join(ck("ck-straight"), "model.onnx"),
                        *plain, "--target=cpu", "-o", out], capture_output=True, text=True)
    if p.returncode:
        print(f"reloaded: compile FAIL\n{p.stderr}")
        return False
    data = npy_inputs(os.path.join(a.model_dir, "train"), skip={"labels"})
    res = os.path.join(out, "res")
    p = subprocess.run([os.path.join(out, "run"), *data, "--output-dir", res],
                       capture_output=True, text=True)
    if p.returncode:
        print(f"reloaded: run FAIL\n{p.stdout}{p.stderr}")
        return False
    ref = np.load(os.path.join(curves, "trained", f"{name}.npy")).astype(np.float64)
    first = sorted(os.listdir(res))
    got = [np.load(os.path.join(res, f)) for f in first]
    got = [g for g in got if g.shape == ref.shape]
    if not got:
        print("reloaded: no output of the trained reference's shape: FAIL")
        return False
    err = float(np.abs(got[0].astype(np.float64) - ref).max())
    bound = 1e-4 * max(1.0, float(np.abs(ref).max()))
    good = err <= bound
    print(f"reloaded: the saved model.onnx gives torch's trained outputs, "
          f"max_abs_err {err:.3g} bound {bound:.3g} {'ok' if good else 'FAIL'}")
    return ok and good


def reported_activations(out, inputs, steps):
    """The activation bytes `run --report-memory` prints, and plan.json's."""
    p = subprocess.run([os.path.join(out, "run"), *inputs, "--steps", str(steps),
                        "--output-dir", os.path.join(out, "mem"),
                        "--report-memory"], capture_output=True, text=True)
    m = re.search(r"activations (\d+) bytes", p.stdout)
    plan = json.load(open(os.path.join(out, "plan.json")))
    return (int(m.group(1)) if m else None), plan["ranks"][0]["arena_bytes"]


def check_recompute(a):
    """--recompute=full and =selective: the same losses (1e-6) with a
    smaller reported activation peak, which plan.json predicts exactly."""
    curves = os.path.join(a.model_dir, "train", "curves")
    name, flags = open(os.path.join(curves, "flags.txt")).readline().strip().split(":", 1)
    inputs = npy_inputs(curves, skip={line.split(":")[0]
                                      for line in open(os.path.join(curves, "flags.txt"))})
    kept = np.load(os.path.join(a.work, name, "res", "loss.npy")).astype(np.float64)
    none, none_plan = reported_activations(os.path.join(a.work, name), inputs, 1)
    ok = True
    for kind in ("full", "selective"):
        out = os.path.join(a.work, "recompute-" + kind)
        err = compile_and_run(a, out, shlex.split(flags) + ["--recompute=" + kind],
                              inputs, a.steps)
        if err:
            print(f"recompute {kind}: {err}")
            return False
        got = np.load(os.path.join(out, "res", "loss.npy")).astype(np.float64)
        rel = float(np.max(np.abs(got - kept) / np.abs(kept)))
        mine, mine_plan = reported_activations(out, inputs, 1)
        good = (rel <= 1e-6 and mine is not None and none is not None and
                mine < none and mine == mine_plan and none == none_plan)
        ok &= good
        label = "recompute" if kind == "full" else "recompute selective"
        print(f"{label}: {a.steps} {name} steps, max rel diff {rel:.2e}, "
              f"activations {none} -> {mine} bytes (plan {none_plan} -> {mine_plan}) "
              f"{'ok' if good else 'FAIL'}")
    return ok

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pp_opt")
    ap.add_argument("model_dir")
    ap.add_argument("work")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--curve-tol", type=float, default=1e-4)
    ap.add_argument("--compile-arg", action="append", default=[])
    ap.add_argument("--program")
    ap.add_argument("--rel-tol", type=float, default=0.0,
                    help="gradients within this x max(1, max|torch|) (for a "
                         "16-bit program) instead of 1e-4 and 1e-5 relative")
    ap.add_argument("--run-arg", action="append", default=[],
                    help="with --program: an argument of its run (--ranks 2)")
    a = ap.parse_args()
    ok = check_gradients(a)
    if a.program:
        return 0 if ok else 1
    ok &= check_curves(a)
    ok &= check_recompute(a)
    ok &= check_checkpoints(a)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
