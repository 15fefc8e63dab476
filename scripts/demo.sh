#!/usr/bin/env bash
# `make demo`: runs the main job on the shipped example and shows the result.
set -euo pipefail
build=${1:-build}
example=examples/two-stage-tp.mlir
echo "== pp-opt $example (parse, verify, print) =="
"$build/bin/pp-opt" "$example"
