#!/usr/bin/env bash
# `make demo`: the whole product on the shipped example. Exports the tiny
# GPT-2-style model with torch, compiles it for 2 pipeline stages x 2
# tensor-parallel ranks with 4 micro-batches under 1F1B for the cpu target,
# prints the plan, runs the 4 ranks as threads with a trace, checks the
# logits against torch's, and puts the simulated bubble beside the measured
# one. Draws the schedule as schedule.svg.
set -euo pipefail
build=${1:-build}
work="$build/demo"
rm -rf "$work" && mkdir -p "$work"

echo "== export a tiny GPT-2-style model (python/export_gpt2.py)"
/usr/bin/python3 python/export_gpt2.py --out "$work/model"

echo
echo "== pp-opt model.onnx --pp=2 --tp=2 --microbatches=4 --schedule=1f1b --target=cpu -o $work/out"
"$build/bin/pp-opt" "$work/model/model.onnx" --pp=2 --tp=2 --microbatches=4 \
  --schedule=1f1b --target=cpu -o "$work/out"
cat "$work/out/plan.txt"

echo
echo "== $work/out/run --ranks 4 --trace (against torch's reference)"
/usr/bin/python3 python/run_and_compare.py "$work/out/run" "$work/model" \
  --tol 1e-4 -- --ranks 4 --trace "$work/trace.json"

echo
echo "== simulated vs measured bubble (python/pipeline_stats.py)"
/usr/bin/python3 python/pipeline_stats.py "$work/trace.json" \
  --pp-schedule "$build/bin/pp-schedule" --schedule 1f1b --pp 2 --microbatches 4

"$build/bin/pp-schedule" --schedule=1f1b --pp=2 --microbatches=4 --forward-only \
  --svg "$work/schedule.svg" > /dev/null
echo
echo "schedule picture: $work/schedule.svg; measured trace (chrome://tracing,"
echo "ui.perfetto.dev): $work/trace.json; generated source: $work/out/src/program.cpp"
