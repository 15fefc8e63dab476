#!/usr/bin/python3
"""Decode speed of a compiled generator on the cpu: early vs late positions,
and pp against torch eager re-running the forward.

Exports a GPT-2-style model (default: 6 layers, 768 wide, max-seq 128,
batch 1), compiles it with `pp-opt --generate`, and runs `run --prompt`
twice: after an 8-token prompt (decode at positions 8..8+K-1) and after a
120-token one (positions 120..127), reading the decode milliseconds per
token that run prints. The cost of a cached decode step must not grow like
a whole forward pass: the goal is late / early <= 1.5. The baseline, in the
same run, is torch eager generating the same tokens without a cache, the
whole forward re-run for every token (what pp did before --generate), at
the same thread count. Prints ms per token and tokens/s for both.

    /usr/bin/python3 bench/generate_decode.py [--layers 6] [--hidden 768]
        [--seq 128] [--new 8] [--threads 2]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
import export_gpt2  # noqa: E402


def pp_decode_ms(run, prompt, new, env):
    p = subprocess.run([run, "--prompt", prompt, "--max-new-tokens", str(new)],
                       check=True, capture_output=True, text=True, env=env)
    return float(re.search(r"decode ([0-9.]+) ms per token", p.stderr).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--hidden", type=int, default=768)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--vocab", type=int, default=8192)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--new", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pp-opt", default=os.path.join(ROOT, "build", "bin", "pp-opt"))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    work = tempfile.mkdtemp(prefix="pp-generate-bench-")
    model_dir = os.path.join(work, "model")
    subprocess.run([sys.executable, os.path.join(ROOT, "python", "export_gpt2.py"),
                    "--out", model_dir, "--layers", str(a.layers),
                    "--hidden", str(a.hidden), "--heads", str(a.heads),
                    "--vocab", str(a.vocab), "--batch", "1", "--seq", str(a.seq)],
                   check=True, stdout=subprocess.DEVNULL)
    out = os.path.join(work, "out")
    subprocess.run([a.pp_opt, os.path.join(model_dir, "model.onnx"), "--generate",
                    "--target=cpu", "-o", out], check=True)
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(a.threads),
               OMP_NUM_THREADS=str(a.threads))
    ids = np.load(os.path.join(model_dir, "input_ids.npy"))
    early, late = 8, a.seq - a.new
    prompts = {}
    for n in (early, late):
        prompts[n] = os.path.join(work, f"prompt{n}.npy")
        np.save(prompts[n], np.ascontiguousarray(ids[:, :n]))
    run = os.path.join(out, "run")
    pp_early = pp_decode_ms(run, prompts[early], a.new, env)
    pp_late = pp_decode_ms(run, prompts[late], a.new, env)

    # torch eager without a cache: the whole forward for every token.
    torch.manual_seed(0)
    model = export_gpt2.GPT2(dict(
        layers=a.layers, hidden=a.hidden, heads=a.heads, kv_heads=a.heads,
        ffn=4 * a.hidden, vocab=a.vocab, n_positions=a.seq, eps=1e-5,
        pdrop=0.0, tied=True)).eval()

    def torch_ms(n):
        seq = torch.from_numpy(ids[:, :n])
        times = []
        with torch.no_grad():
            for _ in range(a.new):
                t0 = time.perf_counter()
                logits = model(seq)
                seq = torch.cat([seq, logits[:, -1].argmax(-1, keepdim=True)], 1)
                times.append((time.perf_counter() - t0) * 1e3)
        return sum(times[1:]) / (len(times) - 1)

    torch_early, torch_late = torch_ms(early), torch_ms(late)
    print(f"GPT {a.layers} layers x {a.hidden}, vocab {a.vocab}, max-seq "
          f"{a.seq}, batch 1, {a.threads} threads, {a.new} new tokens")
    print(f"  {'':24} {'pp (cache)':>12} {'torch (no cache)':>18}")
    for name, p, t in ((f"decode at position {early}", pp_early, torch_early),
                       (f"decode at position {late}", pp_late, torch_late)):
        print(f"  {name:24} {p:9.2f} ms {t:15.2f} ms")
    print(f"  late / early: pp {pp_late / pp_early:.2f} (goal <= 1.5), "
          f"torch {torch_late / torch_early:.2f}")
    print(f"  tokens/s at position {late}: pp {1e3 / pp_late:.1f}, torch "
          f"{1e3 / torch_late:.1f} (ratio {torch_late / pp_late:.2f})")


if __name__ == "__main__":
    main()
