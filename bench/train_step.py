#!/usr/bin/python3
"""One training step of a GPT on the cpu: pp against torch eager.

Exports a GPT-2-style model with --train (default: 6 layers, 768 wide,
batch 4 x 128 tokens), compiles it with `pp-opt --train --optimizer=sgd
--momentum=0.9`, and times `run --steps N` (the per-step times it prints,
the first step left out as warm-up). The baseline, in the same run, is
torch eager on the same model and data with the same thread count:
forward, cross-entropy, backward and torch.optim.SGD's step. Prints the
median step times and the ratio torch / pp (above 1: pp is faster).

    /usr/bin/python3 bench/train_step.py [--layers 6] [--hidden 768]
        [--batch 4] [--seq 128] [--steps 6] [--threads 2]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
import export_gpt2  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--hidden", type=int, default=768)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--vocab", type=int, default=8192)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pp-opt", default=os.path.join(ROOT, "build", "bin", "pp-opt"))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    work = tempfile.mkdtemp(prefix="pp-train-bench-")
    model_dir = os.path.join(work, "model")
    subprocess.run([sys.executable, os.path.join(ROOT, "python", "export_gpt2.py"),
                    "--out", model_dir, "--train", "--layers", str(a.layers),
                    "--hidden", str(a.hidden), "--heads", str(a.heads),
                    "--vocab", str(a.vocab), "--batch", str(a.batch),
                    "--seq", str(a.seq)], check=True, stdout=subprocess.DEVNULL)
    train = os.path.join(model_dir, "train")
    out = os.path.join(work, "out")
    subprocess.run([a.pp_opt, os.path.join(model_dir, "model.onnx"), "--train",
                    "--optimizer=sgd", "--lr=0.01", "--momentum=0.9",
                    "--target=cpu", "-o", out], check=True)
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(a.threads),
               OMP_NUM_THREADS=str(a.threads))
    run = subprocess.run([os.path.join(out, "run"),
                          "--input", f"input_ids={train}/input_ids.npy",
                          "--input", f"labels={train}/labels.npy",
                          "--steps", str(a.steps)],
                         check=True, capture_output=True, text=True, env=env)
    pp_ms = [float(m) for m in re.findall(r"loss \S+\s+([0-9.]+) ms", run.stdout)][1:]

    # torch eager: the exporter's model, same data, same optimizer.
    torch.manual_seed(0)
    model = export_gpt2.GPT2(dict(
        layers=a.layers, hidden=a.hidden, heads=a.heads, kv_heads=a.heads,
        ffn=4 * a.hidden, vocab=a.vocab, n_positions=a.seq, eps=1e-5,
        pdrop=0.0, tied=True))
    ids = torch.from_numpy(np.load(f"{train}/input_ids.npy"))
    labels = torch.from_numpy(np.load(f"{train}/labels.npy"))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    torch_ms = []
    for s in range(a.steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        logits = model(ids)
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), labels.reshape(-1),
            ignore_index=-100)
        loss.backward()
        opt.step()
        if s:
            torch_ms.append((time.perf_counter() - t0) * 1e3)
    p, t = statistics.median(pp_ms), statistics.median(torch_ms)
    print(f"GPT {a.layers} layers x {a.hidden}, batch {a.batch} x {a.seq}, "
          f"{a.threads} threads, median of {len(pp_ms)} steps after one warm-up")
    print(f"  pp    {p:9.1f} ms/step")
    print(f"  torch {t:9.1f} ms/step")
    print(f"  ratio torch/pp {t / p:.2f}")


if __name__ == "__main__":
    main()
