#!/usr/bin/env bash
# OpenBLAS's sgemm (packing the weight every call) against the runtime's
# GEMM over a weight packed once (runtime/lib/cpu/PackedWeights.cpp), on the
# model shapes the runtime sends to OpenBLAS; bench/README.md has a run.
# Needs `make build`.
#   bench/gemm_prepacked.sh [threads] [repeat]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
lib=/usr/lib/x86_64-linux-gnu/openblas-openmp
build="${PP_BUILD_DIR:-$here/../build}"
g++ -O2 -std=c++17 -fopenmp -I"$here/../runtime/lib" \
  -I"$here/../runtime/include" -I"$here/../include" \
  "$here/gemm_prepacked.cpp" -o "$out/gemm" "$build/runtime/libpprt_cpu.a" \
  "$build/runtime/libpprt.a" "$build/lib/Support/libPPSupport.a" \
  "$build/lib/Schedule/libPPSchedule.a" -L"$lib" -Wl,-rpath,"$lib" -lopenblas \
  -ldnnl
echo "commit $(git -C "$here" rev-parse --short HEAD), $(nproc) cpus"
OMP_NUM_THREADS="${1:-2}" "$out/gemm" "${1:-2}" "${2:-30}"
