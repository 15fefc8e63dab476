#!/usr/bin/env bash
# The cpu attention kernel against the unfused kernels it replaces (head
# copies, batched GEMMs, softmax) on GPT-2-small's attention at 128 to 2048
# tokens, same threads, one run; bench/README.md has a run. Needs `make build`.
#   bench/attention_kernel.sh [threads] [repeat]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${PP_BUILD_DIR:-$here/../build}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
lib=/usr/lib/x86_64-linux-gnu/openblas-openmp
g++ -O2 -std=c++17 -fopenmp -I"$here/../runtime/include" -I"$here/../include" \
  "$here/attention_kernel.cpp" -o "$out/attention" \
  "$build/runtime/libpprt_cpu.a" "$build/runtime/libpprt.a" \
  "$build/lib/Support/libPPSupport.a" "$build/lib/Schedule/libPPSchedule.a" \
  -L"$lib" -Wl,-rpath,"$lib" -lopenblas -ldnnl
echo "commit $(git -C "$here" rev-parse --short HEAD), $(nproc) cpus"
OMP_NUM_THREADS="${1:-2}" "$out/attention" "${1:-2}" "${2:-20}"
