#!/usr/bin/env bash
# `make demo`: the main job on the shipped example. Exports the tiny
# GPT-2-style model with torch, compiles it for the cpu target, runs the
# program, and checks its logits against torch's.
set -euo pipefail
build=${1:-build}
work="$build/demo"
rm -rf "$work" && mkdir -p "$work"

echo "== export a tiny GPT-2-style model (python/export_gpt2.py)"
/usr/bin/python3 python/export_gpt2.py --out "$work/model"

echo
echo "== pp-opt model.onnx --target=cpu -o $work/out"
"$build/bin/pp-opt" "$work/model/model.onnx" --target=cpu -o "$work/out"
cat "$work/out/plan.txt"

echo
echo "== $work/out/run (against torch's reference)"
/usr/bin/python3 python/run_and_compare.py "$work/out/run" "$work/model" \
  --tol 1e-4 -- --repeat 5
echo
echo "generated source: $work/out/src/program.cpp"
