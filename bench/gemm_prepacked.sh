#!/usr/bin/env bash
# OpenBLAS's sgemm (packing the weight every call) against a GEMM over a
# weight packed once beforehand, on the model shapes the runtime sends to
# OpenBLAS; bench/README.md has a run.
#   bench/gemm_prepacked.sh [threads] [repeat]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
lib=/usr/lib/x86_64-linux-gnu/openblas-openmp
g++ -O3 -march=native -std=c++17 -fopenmp "$here/gemm_prepacked.cpp" \
  -o "$out/gemm" -L"$lib" -Wl,-rpath,"$lib" -lopenblas
echo "commit $(git -C "$here" rev-parse --short HEAD), $(nproc) cpus"
OMP_NUM_THREADS="${1:-2}" "$out/gemm" "${1:-2}" "${2:-30}"
