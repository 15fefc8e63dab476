"""CheckTrace.py TRACE 'ACTIONS OF RANK 0' 'ACTIONS OF RANK 1' ...

Checks a `run --trace` file against the schedule it ran, given per pipeline
rank in the schedule text format ("F0.0 SEND F0.0->1 RECV F1.0<-1 ..."):
the file is JSON, it has one process per pipeline rank ("rank N"), and each
process's events carry exactly those names, in that order, on the compute
(F) or comm (SEND/RECV) track, with the micro-batch and chunk of each F.
"""

import json
import re
import sys


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def expected_names(text):
    words = text.split()
    names = []
    while words:
        word = words.pop(0)
        if word in ("SEND", "RECV"):
            if not words:
                fail("%s without a tensor in %r" % (word, text))
            word += " " + words.pop(0)
        names.append(word)
    return names


def main():
    path, ranks = sys.argv[1], [expected_names(t) for t in sys.argv[2:]]
    with open(path) as f:
        trace = json.load(f)
    events = trace["traceEvents"]

    processes = {e["pid"]: e["args"]["name"] for e in events
                 if e["ph"] == "M" and e["name"] == "process_name"}
    want = {r: "rank %d" % r for r in range(len(ranks))}
    if processes != want:
        fail("processes %r, expected %r" % (processes, want))

    for rank, names in enumerate(ranks):
        mine = [e for e in events if e["ph"] == "X" and e["pid"] == rank]
        got = [e["name"] for e in mine]
        if got != names:
            fail("rank %d ran %r, expected %r" % (rank, got, names))
        for e in mine:
            compute = re.fullmatch(r"F(\d+)\.(\d+)", e["name"])
            if e["cat"] != ("F" if compute else e["name"].split()[0]):
                fail("%s has category %r" % (e["name"], e["cat"]))
            if e["tid"] != (0 if compute else 1):
                fail("%s is on track %r" % (e["name"], e["tid"]))
            if e["ts"] < 0 or e["dur"] < 0:
                fail("%s has a negative time" % e["name"])
            if compute:
                args = {"microbatch": int(compute.group(1)),
                        "chunk": int(compute.group(2))}
                if e.get("args") != args:
                    fail("%s has args %r" % (e["name"], e.get("args")))
        starts = [e["ts"] for e in mine]
        if starts != sorted(starts):
            fail("rank %d's events are not in time order" % rank)
    print("trace: %d pipeline ranks, %d events as scheduled" %
          (len(ranks), sum(len(n) for n in ranks)))


main()
