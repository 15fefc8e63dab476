#!/usr/bin/python3
"""Compile time and memory of the 70B-shaped Llama graph at 20, 40, 80 layers.

    bench/compile_scaling.py [--pp-opt build/bin/pp-opt] [--repeat 3]

Builds each graph with python/make_llama70b.py (bf16 weights in a sparse
file: no weight byte exists), then times `pp-opt model.onnx --target=cuda
--emit=source -o OUT` and reads its peak RSS from /usr/bin/time. Prints the
median wall time, the time per layer, and both as ratios to the 20-layer
run, so linear growth shows as ratios of 1, 2, 4 and a flat time per layer.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(pp_opt, model, out):
    start = time.perf_counter()
    run = subprocess.run(
        ["/usr/bin/time", "-f", "%M", pp_opt, model, "--target=cuda",
         "--emit=source", "-o", out],
        capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"pp-opt failed on {model}:\n{run.stderr}")
    rss_kib = int(run.stderr.strip().splitlines()[-1])
    return elapsed, rss_kib


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pp-opt", default=os.path.join(ROOT, "build/bin/pp-opt"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--layers", default="20,40,80")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for layers in [int(x) for x in args.layers.split(",")]:
            folder = os.path.join(tmp, f"l{layers}")
            subprocess.run([sys.executable, os.path.join(ROOT, "python/make_llama70b.py"),
                            "--layers", str(layers), "--out", folder],
                           check=True, capture_output=True)
            runs = [measure(args.pp_opt, os.path.join(folder, "model.onnx"),
                            os.path.join(folder, "out")) for _ in range(args.repeat)]
            seconds = statistics.median(r[0] for r in runs)
            rss = max(r[1] for r in runs)
            rows.append((layers, seconds, rss))

    base_layers, base_seconds, _ = rows[0]
    print(f"{'layers':>6} {'seconds':>8} {'ratio':>6} {'s/layer':>8} {'per-layer ratio':>15} {'peak RSS':>10}")
    for layers, seconds, rss in rows:
        per_layer = seconds / layers
        print(f"{layers:>6} {seconds:>8.2f} {seconds / base_seconds:>6.2f} "
              f"{per_layer:>8.4f} {per_layer / (base_seconds / base_layers):>15.2f} "
              f"{rss / 1024:>8.0f} MiB")


if __name__ == "__main__":
    main()
