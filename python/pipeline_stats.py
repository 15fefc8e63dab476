#!/usr/bin/python3
"""Measured and simulated pipeline bubbles, side by side.

    pipeline_stats.py TRACE.json [--pp-schedule BIN --schedule S --pp P
                      --microbatches M [--virtual-stages V]] [--json]

Reads a trace written by `OUT/run --trace` (one row per pipeline rank) and
prints the measured step time and bubble fraction with the simulator's
definition (docs/schedules.md): 1 - (compute time summed over ranks) /
(ranks x step time), the step running from the first action's start to the
last one's end. With --pp-schedule it also simulates the same schedule
with the measured mean forward time per rank (f) and mean SEND time (comm)
and prints the predicted bubble beside the measured one.
"""

import argparse
import json
import subprocess
import sys


def measured(trace_path):
    events = [e for e in json.load(open(trace_path))["traceEvents"] if e.get("ph") == "X"]
    ranks = sorted({e["pid"] for e in events})
    start = min(e["ts"] for e in events)
    end = max(e["ts"] + e["dur"] for e in events)
    step = end - start
    compute = [e for e in events if e["cat"] in ("F", "B", "W")]
    sends = [e for e in events if e["cat"] == "SEND"]
    busy = {r: sum(e["dur"] for e in compute if e["pid"] == r) for r in ranks}
    forwards_per_rank = max(1, len(compute) // max(1, len(ranks)))

    def mean_ms(cat):
        durations = [e["dur"] for e in compute if e["cat"] == cat]
        return sum(durations) / len(durations) / 1000 if durations else 0.0
    return {
        # Training: the mean time of one F, B and W pass, in ms.
        "pass_ms": {cat: mean_ms(cat) for cat in ("F", "B", "W")},
        "step_ms": step / 1000,
        "bubble_fraction": 1 - sum(busy.values()) / (len(ranks) * step),
        "ranks": len(ranks),
        # One rank's whole share of a micro-batch's forward, in ms.
        "f_ms": sum(busy.values()) / len(ranks) / forwards_per_rank / 1000,
        "comm_ms": (sum(e["dur"] for e in sends) / len(sends) / 1000) if sends else 0.0,
    }


def simulated(binary, schedule, pp, microbatches, virtual, f, comm, training=None):
    """The simulator's prediction; `training` = (f, b, w) pass times (ms, per
    chunk) for a training schedule, else forward-only with `f` per rank."""
    cmd = [binary, f"--schedule={schedule}", f"--pp={pp}",
           f"--microbatches={microbatches}", "--json", f"--comm={comm}"]
    if training:
        # pp-schedule's costs are per full stage (a chunk's times v).
        cmd += [f"--f={training[0] * virtual}", f"--b={training[1] * virtual}",
                f"--w={training[2] * virtual}"]
    else:
        cmd += ["--forward-only", f"--f={f * virtual}"]
    if virtual > 1:
        cmd.append(f"--virtual-stages={virtual}")
    return json.loads(subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--pp-schedule")
    ap.add_argument("--schedule")
    ap.add_argument("--pp", type=int)
    ap.add_argument("--microbatches", type=int)
    ap.add_argument("--virtual-stages", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    m = measured(a.trace)
    result = {"measured": m}
    if a.pp_schedule:
        s = simulated(a.pp_schedule, a.schedule, a.pp, a.microbatches,
                      a.virtual_stages, m["f_ms"], m["comm_ms"])
        result["simulated"] = {"step_ms": s["step_time"], "bubble_fraction": s["bubble_fraction"]}
    if a.json:
        print(json.dumps(result))
        return 0
    print(f"measured:  step {m['step_ms']:.3f} ms, bubble {100 * m['bubble_fraction']:.1f}% "
          f"(mean F {m['f_ms']:.3f} ms per rank, mean SEND {m['comm_ms']:.3f} ms)")
    if a.pp_schedule:
        s = result["simulated"]
        print(f"simulated: step {s['step_ms']:.3f} ms, bubble {100 * s['bubble_fraction']:.1f}% "
              f"(same schedule, f and comm as measured)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
