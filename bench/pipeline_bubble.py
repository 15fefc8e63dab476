#!/usr/bin/python3
"""Measured vs simulated pipeline bubble of compiled programs.

Exports a GPT-2-style model (8 layers, hidden 256 by default), compiles it
for several pipeline schedules on the cpu target, runs each program on its
ranks as threads with `run --trace`, and prints the measured step time and
bubble beside what the simulator predicts for the same schedule given the
measured mean forward time per rank and SEND time. The baseline of each
row is its own prediction: the ratio column is measured / simulated step.

    /usr/bin/python3 bench/pipeline_bubble.py [--build build] [--repeat 3] [--train]

With --train the programs are training steps (`pp-opt --train`, SGD) under
1f1b, interleaved, zb-h1 and zbv at P=4, and the simulator gets the
measured mean F, B and W pass times.

Threads share this machine's cores: with more ranks than cores the measured
forward times include waiting for a core, which the simulator (one device
per rank) does not model. OpenBLAS runs one thread per rank
(OPENBLAS_NUM_THREADS=1) so that ranks do not also fight over BLAS threads.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
import pipeline_stats  # noqa: E402

PLANS = [
    ("gpipe", 4, 8, 1),
    ("1f1b", 4, 8, 1),
    ("1f1b", 2, 4, 1),
    ("interleaved", 2, 4, 2),
]
TRAIN_PLANS = [
    ("1f1b", 4, 8, 1),
    ("interleaved", 4, 8, 2),
    ("zb-h1", 4, 8, 1),
    ("zbv", 4, 8, 2),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--train", action="store_true")
    a = ap.parse_args()
    root = os.path.join(os.path.dirname(__file__), "..")
    pp_opt = os.path.join(a.build, "bin", "pp-opt")
    pp_schedule = os.path.join(a.build, "bin", "pp-schedule")
    work = tempfile.mkdtemp(prefix="pp-bubble-")
    model = os.path.join(work, "model")
    subprocess.run(["/usr/bin/python3", os.path.join(root, "python", "export_gpt2.py"),
                    "--out", model, "--layers", str(a.layers), "--hidden", str(a.hidden),
                    "--batch", "16"] + (["--train"] if a.train else []),
                   check=True, stdout=subprocess.DEVNULL)
    data = os.path.join(model, "train") if a.train else model
    inputs = ["--input", f"input_ids={os.path.join(data, 'input_ids.npy')}"]
    if a.train:
        inputs += ["--input", f"labels={os.path.join(data, 'labels.npy')}"]
    print(f"GPT-2-style, {a.layers} layers, hidden {a.hidden}, batch 16"
          f"{', training steps' if a.train else ''}; median of {a.repeat} traced steps\n")
    print(f"{'schedule':<12} {'P':>2} {'M':>3} {'V':>2} {'step ms':>9} {'sim ms':>9} "
          f"{'ratio':>6} {'bubble':>8} {'sim bubble':>11}")
    for schedule, p, m, v in TRAIN_PLANS if a.train else PLANS:
        out = os.path.join(work, f"{schedule}-{p}-{m}")
        subprocess.run([pp_opt, os.path.join(model, "model.onnx"), f"--pp={p}",
                        *(["--train"] if a.train else []),
                        f"--microbatches={m}", f"--virtual-stages={v}",
                        f"--schedule={schedule}", "--target=cpu", "-o", out], check=True)
        rows = []
        for k in range(a.repeat):
            trace = os.path.join(out, f"trace{k}.json")
            subprocess.run([os.path.join(out, "run"), "--ranks", str(p), *inputs,
                            "--output-dir", os.path.join(out, "res"), "--trace", trace],
                           check=True, stdout=subprocess.DEVNULL,
                           env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
            meas = pipeline_stats.measured(trace)
            passes = meas["pass_ms"]
            sim = pipeline_stats.simulated(
                pp_schedule, schedule, p, m, v, meas["f_ms"], meas["comm_ms"],
                (passes["F"], passes["B"], passes["W"]) if a.train else None)
            rows.append((meas["step_ms"], sim["step_time"], meas["bubble_fraction"],
                         sim["bubble_fraction"]))
        step, sim_step, bubble, sim_bubble = (statistics.median(c) for c in zip(*rows))
        print(f"{schedule:<12} {p:>2} {m:>3} {v:>2} {step:>9.3f} {sim_step:>9.3f} "
              f"{step / sim_step:>6.2f} {100 * bubble:>7.1f}% {100 * sim_bubble:>10.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
