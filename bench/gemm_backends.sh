#!/usr/bin/env bash
# OpenBLAS (its pthread and OpenMP builds, Debian's) against oneDNN
# (libdnnl-dev) on issue 15's GEMM shapes, same threads, one run.
#   bench/gemm_backends.sh [threads] [repeat]
# Needs libopenblas-dev, libopenblas-openmp-dev and libdnnl-dev.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
lib=/usr/lib/x86_64-linux-gnu
for flavour in pthread openmp; do
  g++ -O2 -std=c++17 "$here/gemm_backends.cpp" -o "$out/gemm-$flavour" \
    -L"$lib/openblas-$flavour" -Wl,-rpath,"$lib/openblas-$flavour" \
    -lopenblas -ldnnl
done
echo "commit $(git -C "$here" rev-parse --short HEAD), $(nproc) cpus"
for flavour in pthread openmp; do
  echo "== OpenBLAS $flavour"
  "$out/gemm-$flavour" "${1:-2}" "${2:-20}"
done
