#!/usr/bin/python3
"""Checks a compiled program's per-rank memory against its plan.

    check_memory.py OUT MODEL_DIR [--share K --vocab V]

Runs OUT/run on all its ranks with --report-memory and checks that every
rank loads exactly the weight bytes plan.json says and allocates exactly its
activation (arena) bytes, and for training its gradient and optimizer
bytes; when plan.json has the planner's "predicted" peak, that the fullest
rank's measured total equals it. With --share K it also
checks the bound of a K-way model split: the largest rank holds at most
1/K of all weight bytes plus the replicated weights it loads (norms) plus
its part of the embedding and LM head (weights with a dim of size V): the
stage that holds them cannot also hold 1/K of the layers' share.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys

from check_plan_share import whole_weight_bytes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("model_dir")
    ap.add_argument("--share", type=int, default=0)
    ap.add_argument("--vocab", type=int, default=-1)
    a = ap.parse_args()

    plan = json.load(open(os.path.join(a.out, "plan.json")))
    n = plan["num_ranks"]
    inputs = []
    for path in sorted(glob.glob(os.path.join(a.model_dir, "*.npy"))):
        name = os.path.basename(path)[:-4]
        if not name.startswith("ref_"):
            inputs += ["--input", f"{name}={path}"]
    p = subprocess.run([os.path.join(a.out, "run"), "--ranks", str(n), "--report-memory",
                        *inputs, "--output-dir", os.path.join(a.out, "res-memory")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        print(f"run failed:\n{p.stdout}")
        return 1
    loaded = {int(m.group(1)): tuple(int(g or 0) for g in m.groups()[1:])
              for m in re.finditer(r"rank (\d+) \(stage [\d,]+\): weights (\d+) bytes, "
                                   r"activations (\d+) bytes(?:, gradients (\d+) bytes, "
                                   r"optimizer (\d+) bytes)?", p.stdout)}
    ok = True
    for rank in plan["ranks"]:
        r = rank["rank"]
        want = (rank["weight_bytes"], rank["arena_bytes"], rank.get("grad_bytes", 0),
                rank.get("optimizer_bytes", 0))
        got = loaded.get(r)
        good = got == want
        ok &= good
        training = (f"; gradients {got[2] if got else None} bytes, plan {want[2]}; "
                    f"optimizer {got[3] if got else None} bytes, plan {want[3]}"
                    if want[2] or want[3] else "")
        print(f"rank {r}: loaded {got[0] if got else None} bytes, plan {want[0]}; "
              f"activations {got[1] if got else None} bytes, plan {want[1]}{training}: "
              f"{'ok' if good else 'FAIL'}")
    # The planner's peak (plan.json "predicted", when the plan has one) is
    # the fullest rank's total.
    peak = plan.get("predicted", {}).get("peak_bytes_per_rank")
    if peak is not None and loaded:
        measured = max(sum(v) for v in loaded.values())
        good = measured == peak
        ok &= good
        print(f"fullest rank {measured} bytes, predicted peak {peak:.0f}: "
              f"{'ok' if good else 'FAIL'}")

    if a.share:
        weights = plan["weights"]
        total = whole_weight_bytes(plan)
        stage_weights = {st["stage"]: st["weights"] for st in plan["stages"]}
        big = max(plan["ranks"], key=lambda r: r["weight_bytes"])
        mine = {w for s in big["stages"] for w in stage_weights[s]}
        replicated = sum(weights[w]["bytes_per_rank"] for w in mine
                         if weights[w]["split"] == "replicated")
        vocab = sum(weights[w]["bytes_per_rank"] for w in mine
                    if weights[w]["split"] != "replicated"
                    and a.vocab in weights[w]["shape"])
        largest = big["weight_bytes"]
        bound = total / a.share + replicated + vocab
        good = largest <= bound
        ok &= good
        print(f"largest rank {largest} bytes <= 1/{a.share} of {total} + replicated "
              f"{replicated} + embedding/head part {vocab} = {bound:.0f}: "
              f"{'ok' if good else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
