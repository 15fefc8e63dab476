#!/usr/bin/env bash
# OpenBLAS (Debian's OpenMP build, as the runtime links it) against oneDNN
# (libdnnl-dev) on issue 15's GEMM shapes, same threads, one run. The
# numbers behind lib/cpu/MatMul.cpp's choice; bench/README.md has a run.
#   bench/gemm_backends.sh [threads] [repeat]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
lib=/usr/lib/x86_64-linux-gnu/openblas-openmp
g++ -O2 -std=c++17 -fopenmp "$here/gemm_backends.cpp" -o "$out/gemm" \
  -L"$lib" -Wl,-rpath,"$lib" -lopenblas -ldnnl
echo "commit $(git -C "$here" rev-parse --short HEAD), $(nproc) cpus"
OMP_NUM_THREADS="${1:-2}" "$out/gemm" "${1:-2}" "${2:-20}"
