#!/usr/bin/python3
"""Cuts one part of the batch out of a model folder's inputs and references.

    slice_npy.py SRC DST --rows N [--start S] [--batch B]

Writes DST/<name>.npy for every SRC/*.npy (inputs and ref_*): arrays whose
dim 0 is the batch B are cut to rows S..S+N-1 along dim 0, the others are
copied whole. B defaults to meta.json's config.batch. DST then serves as a
model folder for run_and_compare.py, to judge a program that pp-split-batch
compiled for a batch of N.
"""

import argparse
import glob
import json
import os
import sys

import numpy as np


def batch_of(src):
    meta = os.path.join(src, "meta.json")
    if os.path.exists(meta):
        with open(meta) as f:
            return json.load(f)["config"]["batch"]
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("src")
    parser.add_argument("dst")
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--batch", type=int)
    args = parser.parse_args()

    batch = args.batch or batch_of(args.src)
    if not batch:
        print(f"error: no --batch and no config.batch in {args.src}/meta.json")
        return 2
    if args.rows < 1 or args.start < 0 or args.start + args.rows > batch:
        print(f"error: rows {args.start}..{args.start + args.rows - 1} are "
              f"not inside a batch of {batch}")
        return 2
    paths = sorted(glob.glob(os.path.join(args.src, "*.npy")))
    if not paths:
        print(f"error: no .npy files in {args.src}")
        return 1
    os.makedirs(args.dst, exist_ok=True)
    for path in paths:
        array = np.load(path)
        if array.ndim >= 1 and array.shape[0] == batch:
            array = array[args.start:args.start + args.rows]
        np.save(os.path.join(args.dst, os.path.basename(path)),
                np.ascontiguousarray(array))
    return 0


if __name__ == "__main__":
    sys.exit(main())
