#!/usr/bin/python3
"""Checks a plan.json against an even K-way split of the weights.

    check_plan_share.py OUT/plan.json --share K --vocab V [--tol 0.05]

Prints the layers per stage, then for every rank its weight bytes against
total/K. Two checks: the mean over all ranks of (weight bytes - replicated
bytes) is within tol of total/K (nothing is held twice), and every rank of
a stage with the most common layer count and no embedding or LM head
(weights with a dim of size V) is within tol of total/K plus its
replicated weights. The other stages (the embedding's, the head's, and
those the balancer gave a layer more or less around them) are printed
with their ratio.
"""

import argparse
import collections
import json
import re
import sys


def whole_weight_bytes(plan):
    """All weights in the program's element type: a split weight's per-rank
    part times its parts, a replicated one once."""
    total = 0
    for w in plan["weights"]:
        parts = 1
        for axis in re.findall(r"(\w+) on dim", w["split"]):
            parts *= plan["mesh"][axis]
        total += w["bytes_per_rank"] * parts
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("plan")
    ap.add_argument("--share", type=int, required=True)
    ap.add_argument("--tol", type=float, default=0.05)
    ap.add_argument("--vocab", type=int, required=True)
    a = ap.parse_args()
    plan = json.load(open(a.plan))
    weights = plan["weights"]
    total = whole_weight_bytes(plan)
    share = total / a.share
    layers = [st.get("layers", 0) for st in plan["stages"]]
    print("layers per stage:", ",".join(map(str, layers)))
    common = collections.Counter(layers).most_common(1)[0][0]
    stages = {st["stage"]: st for st in plan["stages"]}
    ok = True
    unreplicated = []
    for rank in plan["ranks"]:
        mine = {w for s in rank["stages"] for w in stages[s]["weights"]}
        replicated = sum(weights[w]["bytes_per_rank"] for w in mine
                         if weights[w]["split"] == "replicated")
        unreplicated.append(rank["weight_bytes"] - replicated)
        if rank["coords"].get("tp", 0) != 0:
            continue  # tensor-parallel partners hold the same amount
        ratio = (rank["weight_bytes"] - replicated) / share
        even = (all(stages[s].get("layers") == common for s in rank["stages"])
                and not any(a.vocab in weights[w]["shape"] for w in mine))
        good = abs(ratio - 1) <= a.tol or not even
        ok &= good
        print(f"rank {rank['rank']} stages {rank['stages']}: "
              f"{rank['weight_bytes'] / 2**30:.3f} GiB = {ratio:.3f} x total/{a.share}"
              f" + {replicated} replicated bytes"
              f"{'' if even else ' (embedding, head or uneven stage)'}: {'ok' if good else 'FAIL'}")
    mean = sum(unreplicated) / len(unreplicated) / share
    good = abs(mean - 1) <= a.tol
    ok &= good
    print(f"mean over {len(unreplicated)} ranks: {mean:.3f} x total/{a.share}: "
          f"{'ok' if good else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
