#!/usr/bin/python3
"""Feeds the program built from test/e2e/Inputs/loss-kernels.mlir and checks
its outputs: the losses against torch.nn.functional.cross_entropy
(ignore_index=-100), the scatter_adds against numpy's np.add.at, all
computed in float64.

    check_loss_kernels.py RUN WORK [--errors]

Writes the inputs to WORK/*.npy (also, for the error tests,
WORK/bad_labels.npy, one of whose labels equals the vocabulary size, and
WORK/bad_idx.npy, one of whose indices equals the dim size), runs RUN, and
prints one line per output and a closing "N passed, N failed"; exits 1 on
any failure. With --errors it also runs RUN on each bad file and expects
exit 1 and the one-line error, for machines without lit (gpu-check.sh).
"""

import os
import subprocess
import sys

import numpy as np
import torch

TOLERANCE = 1e-5
IGNORE = -100


def inputs(rng):
    logits = rng.standard_normal((4, 6, 11)).astype(np.float32)
    labels = rng.integers(0, 11, (4, 6)).astype(np.int64)
    labels[0, :] = IGNORE  # a whole sequence of padding
    labels[2, 3] = IGNORE
    labels[3, 0] = 10  # the last class
    return {
        "logits": logits,
        "labels": labels,
        "ignored": np.full((4, 6), IGNORE, np.int64),
        "dy": rng.standard_normal((4, 6, 8)).astype(np.float32),
        # Repeats within and across rows, and every row of the table but 9.
        "ids": np.array([[1, 1, 0, 2, 3, 1], [4, 5, 6, 7, 8, 1],
                         [0, 0, 0, 0, 0, 0], [8, 7, 6, 5, 4, 3]], np.int64),
        "u": rng.standard_normal((2, 5, 3)).astype(np.float32),
        "idx": np.array([3, -1, 0, 3, 1], np.int64),  # -1 is 3 again
    }


def cross_entropy(logits, labels):
    return torch.nn.functional.cross_entropy(
        torch.from_numpy(logits.astype(np.float64)).reshape(-1, 11),
        torch.from_numpy(labels).reshape(-1), ignore_index=IGNORE).numpy()


def scatter_add(updates, indices, dim, size):
    shape = list(updates.shape[:dim]) + [size] + \
        list(updates.shape[dim + indices.ndim:])
    out = np.zeros(shape, np.float64)
    index = (slice(None),) * dim + (indices % size,)
    np.add.at(out, index, updates.astype(np.float64))
    return out


def main():
    run, work = sys.argv[1], sys.argv[2]
    errors = sys.argv[3:] == ["--errors"]
    os.makedirs(work, exist_ok=True)
    feeds = inputs(np.random.default_rng(3))
    for name, array in feeds.items():
        np.save(os.path.join(work, name + ".npy"), array)
    bad = feeds["labels"].copy()
    bad[1, 2] = 11
    np.save(os.path.join(work, "bad_labels.npy"), bad)
    bad = feeds["idx"].copy()
    bad[2] = 4
    np.save(os.path.join(work, "bad_idx.npy"), bad)

    def command(out, **files):
        args = [run, "--output-dir", out]
        for name in feeds:
            path = os.path.join(work, files.get(name, name) + ".npy")
            args += ["--input", "%s=%s" % (name, path)]
        return args

    out = os.path.join(work, "out")
    subprocess.run(command(out), check=True)

    # torch gives nan when every label is ignored; pp's loss is 0 then.
    assert np.isnan(cross_entropy(feeds["logits"] * 50, feeds["ignored"]))
    expected = {
        "loss": cross_entropy(feeds["logits"] * 50, feeds["labels"]),
        "loss_all_ignored": np.float64(0),
        "dwte": scatter_add(feeds["dy"], feeds["ids"], 0, 10),
        "du": scatter_add(feeds["u"], feeds["idx"], 1, 4),
    }
    failed = 0
    for name, want in expected.items():
        got = np.load(os.path.join(out, name + ".npy"))
        err = float(np.max(np.abs(got.astype(np.float64) - want)))
        bound = TOLERANCE * max(1.0, float(np.max(np.abs(want))))
        ok = got.shape == want.shape and err <= bound
        failed += not ok
        print("%s: max_abs_err=%.3g max_abs_ref=%.4g %s" %
              (name, err, float(np.max(np.abs(want))), "ok" if ok else "FAIL"))
    checks = len(expected)
    if errors:
        bad_runs = {
            "labels": ("bad_labels", "error: cross_entropy label 11 out of "
                       "range [0, 11) (ignore_index -100)"),
            "idx": ("bad_idx", "error: scatter_add index 4 out of range "
                    "[0, 4)"),
        }
        for name, (file, message) in bad_runs.items():
            done = subprocess.run(command(os.path.join(work, "bad"),
                                          **{name: file}),
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
            ok = done.returncode == 1 and done.stderr == message + "\n"
            failed += not ok
            checks += 1
            print("%s: exit %d, %r %s" % (file, done.returncode, done.stderr,
                                          "ok" if ok else "FAIL"))
    print("%d passed, %d failed" % (checks - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
