#!/usr/bin/python3
"""The planner's prediction against a published 3D-parallel training run.

Narayanan et al. 2021, "Efficient Large-Scale Language Model Training on GPU
Clusters Using Megatron-LM" (arXiv 2104.04473), abstract: a 1T-parameter GPT
trained at 502 petaFLOP/s on 3072 A100 GPUs, 52% of peak per GPU, i.e.
163 TFLOP/s per GPU, counting executed FLOPs (full recompute included). Its
configuration: 128 layers, hidden 25600, 160 heads, vocabulary 51200,
sequence 2048, global batch 3072, tensor parallel 8, pipeline parallel 64,
data parallel 6, micro-batch 1, activation recomputation, mixed precision.

The script builds that graph (python/make_gpt.py, sparse weights), compiles
the published configuration with --emit=plan on the a100-80gb-nvlink preset
(DGX A100 nodes with 8 x 200 Gb/s InfiniBand, as Selene), under 1f1b and
interleaved (V = 2), and prints the planner's TFLOP/s per GPU beside the
published one; then runs --auto on the same 3072 GPUs and batch and prints
its best plan's prediction. Nothing here is timed.

    /usr/bin/python3 bench/planner_calibration.py [--pp-opt build/bin/pp-opt]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PUBLISHED_TFLOPS = 502e3 / 3072  # 502 PFLOP/s over 3072 GPUs


def plan(pp_opt, model, out, flags):
    cmd = [pp_opt, model, "--train", "--optimizer=adamw", "--dtype=bf16",
           "--hardware=a100-80gb-nvlink", "--emit=plan", "-o", out] + flags
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{p.stderr}")
    return p.stdout, json.load(open(os.path.join(out, "plan.json")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pp-opt", default=os.path.join(ROOT, "build", "bin", "pp-opt"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = os.path.join(tmp, "gpt1t")
        subprocess.run([sys.executable, os.path.join(ROOT, "python", "make_gpt.py"),
                        "--out", model_dir, "--layers", "128", "--hidden", "25600",
                        "--heads", "160", "--batch", "3072"], check=True,
                       stdout=subprocess.DEVNULL)
        model = os.path.join(model_dir, "model.onnx")
        print("1T GPT, 3072 A100-80GB, batch 3072 x 2048, bf16, full recompute")
        print(f"{'configuration':48} {'TFLOP/s/GPU':>12} {'vs published':>13}")
        print(f"{'published (Narayanan et al. 2021)':48} {PUBLISHED_TFLOPS:12.1f} {1.0:13.3f}")
        published = {}
        for name, flags in [
                ("pp=64 tp=8 dp=6 m=512 1f1b recompute=full",
                 ["--schedule=1f1b"]),
                ("pp=64 tp=8 dp=6 m=512 interleaved v=2 recompute=full",
                 ["--schedule=interleaved", "--virtual-stages=2"])]:
            _, p = plan(a.pp_opt, model, os.path.join(tmp, "fixed"),
                        ["--pp=64", "--tp=8", "--dp=6", "--microbatches=512",
                         "--recompute=full"] + flags)
            t = p["predicted"]["tflops_per_gpu"]
            published[name] = p["predicted"]["step_s"]
            print(f"{name:48} {t:12.1f} {t / PUBLISHED_TFLOPS:13.3f}")
        out, p = plan(a.pp_opt, model, os.path.join(tmp, "auto"),
                      ["--auto", "--gpus=3072", "--top=3"])
        best = re.search(r"compiling the best: (.*)", out).group(1)
        t = p["predicted"]["tflops_per_gpu"]
        print(f"{'--auto: ' + best:48} {t:12.1f} {t / PUBLISHED_TFLOPS:13.3f}")
        searched = re.search(r"searched in ([0-9.]+) s", out).group(1)
        fastest = min(published.values())
        print(f"--auto's best step {p['predicted']['step_s']:.1f} s against "
              f"{fastest:.1f} s for the published configuration "
              f"({'at least as fast' if p['predicted']['step_s'] <= fastest else 'SLOWER'}); "
              f"search {searched} s")


if __name__ == "__main__":
    main()
