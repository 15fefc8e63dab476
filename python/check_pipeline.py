#!/usr/bin/python3
"""Checks that the registered pipeline compiles what the driver's flags do.

    check_pipeline.py PP_OPT MODEL_DIR WORK --plan pp=2,tp=2 --plan none ...

Imports MODEL_DIR/model.onnx once into WORK/model.mlir (with locations: the
stage balancer reads layer indices from ONNX node names). Then, per --plan,
compiles to sources twice with --target=cpu --emit=source:

    pp-opt model.onnx --pp=2 --tp=2 ...                 kept as WORK/<n>/flags
    pp-opt model.mlir --pp-parallelize="pp=2 tp=2 ..."  kept as WORK/<n>/pipeline

(both into WORK/<n>/out, which src/build.sh names) and compares the two
src/ folders byte for byte (`diff -r`). `--plan none`
is the single-device program: no flags against `--pp-parallelize` with its
defaults. Prints one line per plan and exits 1 on any difference or failure.
"""

import argparse
import os
import re
import subprocess
import sys


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    return p.returncode, p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pp_opt")
    ap.add_argument("model_dir")
    ap.add_argument("work")
    ap.add_argument("--plan", action="append", default=[])
    a = ap.parse_args()

    os.makedirs(a.work, exist_ok=True)
    model = os.path.join(a.model_dir, "model.onnx")
    mlir = os.path.join(a.work, "model.mlir")
    rc, out = run([a.pp_opt, model, "--mlir-print-debuginfo", "-o", mlir])
    if rc != 0:
        print(f"import: FAIL\n{out}")
        return 1

    failed = False
    for k, plan in enumerate(a.plan):
        # "pp=3,stage-layers=1,2,1": commas inside a value stay with it.
        options = ([] if plan == "none"
                   else re.split(r",(?=[a-z-]+=)", plan))
        flags = ["--" + kv for kv in options]
        pipeline = "--pp-parallelize=" + " ".join(options)
        folder = os.path.join(a.work, str(k))
        # Both compile into the same folder (build.sh names it), each then
        # moved aside.
        target = os.path.join(folder, "out")
        ok = True
        for name, cmd in (("flags", [a.pp_opt, model, *flags]),
                          ("pipeline", [a.pp_opt, mlir, pipeline])):
            rc, out = run([*cmd, "--target=cpu", "--emit=source", "-o",
                           target])
            if rc != 0:
                print(f"[{plan}] {name}: FAIL\n{out}")
                ok = False
                break
            os.rename(target, os.path.join(folder, name))
        if not ok:
            failed = True
            continue
        srcs = [os.path.join(folder, n, "src") for n in ("flags", "pipeline")]
        rc, out = run(["diff", "-r", *srcs])
        files = len(os.listdir(srcs[0]))
        if rc == 0 and files > 0:
            print(f"[{plan}] src identical ({files} files)")
        else:
            print(f"[{plan}] src differ: FAIL\n{out[:2000]}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
