#!/usr/bin/python3
"""Runs a program compiled with --pp-add-loss on an exported model's inputs
and checks its loss against torch.nn.functional.cross_entropy
(ignore_index=-100) of the export's reference logits, in float64.

    check_model_loss.py RUN MODEL_DIR WORK

The labels are the next token (as a language model trains), with the last
position and the first three positions of the first sequence ignored
(-100). Prints one line and exits 1 when the loss is off by more than 1e-5
relative to max(1, |loss|).
"""

import os
import subprocess
import sys

import numpy as np
import torch

TOLERANCE = 1e-5


def main():
    run, model, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    ids = np.load(os.path.join(model, "input_ids.npy"))
    logits = np.load(os.path.join(model, "ref_logits.npy"))
    labels = np.roll(ids, -1, axis=-1).astype(np.int64)
    labels[..., -1] = -100
    labels[0, :3] = -100
    labels_file = os.path.join(work, "labels.npy")
    np.save(labels_file, labels)
    out = os.path.join(work, "out")
    subprocess.run([run, "--input", "input_ids=" +
                    os.path.join(model, "input_ids.npy"),
                    "--input", "labels=" + labels_file, "--output-dir", out],
                   check=True)
    got = float(np.load(os.path.join(out, "loss.npy")))
    want = torch.nn.functional.cross_entropy(
        torch.from_numpy(logits.astype(np.float64)).reshape(
            -1, logits.shape[-1]),
        torch.from_numpy(labels).reshape(-1), ignore_index=-100).item()
    err = abs(got - want)
    ok = err <= TOLERANCE * max(1.0, abs(want))
    print("loss: %.6f torch: %.6f abs_err=%.3g %s" %
          (got, want, err, "ok" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
