#!/usr/bin/env bash
# Builds the ONNX reader fuzzer (tools/pp-import-fuzz) with clang's libFuzzer,
# ASan and UBSan, and runs it for FUZZ_SECONDS (default 30) on a seed corpus
# of small models from libonnx-testdata. Exits non-zero when the fuzzer finds
# a crash, a leak, undefined behaviour, a timeout or an out-of-memory input;
# the input that caused it is kept in the build folder.
#
#   scripts/fuzz-importer.sh [BUILD_DIR]      (default: build)
#   FUZZ_SECONDS=600 scripts/fuzz-importer.sh
set -euo pipefail

cd "$(dirname "$0")/.."
build=${1:-build}
seconds=${FUZZ_SECONDS:-30}
cxx=${CXX_FUZZ:-clang++-22}
out="$build/fuzz"
binary="$out/pp-import-fuzz"
testdata=/usr/share/libonnx-testdata/data

mkdir -p "$out"
echo "== building $binary"
"$cxx" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -O1 -g -std=c++17 -I include -I lib/Support \
  tools/pp-import-fuzz/fuzz_onnx.cpp lib/Support/*.cpp -o "$binary"

# A fresh corpus each run: seeds are copied in, nothing is committed.
corpus=$(mktemp -d "${TMPDIR:-/tmp}/pp-fuzz-corpus.XXXXXX")
trap 'rm -rf "$corpus"' EXIT
seeds=(node/test_abs node/test_add node/test_constant node/test_conv_with_strides_padding
  node/test_if node/test_loop11 node/test_reshape_extended_dims node/test_cast_FLOAT_to_BFLOAT16
  node/test_gather_0 node/test_strnormalizer_export_monday_casesensintive_lower
  node/test_layer_normalization_2d_axis0 node/test_gemm_default_single_elem_vector_bias
  node/test_scan_sum node/test_constantofshape_int_zeros simple/test_gradient_of_add
  pytorch-operator/test_operator_add_size1_broadcast pytorch-converted/test_Linear
  pytorch-converted/test_Embedding pytorch-converted/test_BatchNorm1d_3d_input_eval)
for seed in "${seeds[@]}"; do
  model="$testdata/$seed/model.onnx"
  # Large models make slow seeds; small ones cover the same fields.
  if [[ -f $model ]] && (($(stat -c %s "$model") <= 65536)); then
    cp "$model" "$corpus/$(basename "$seed").onnx"
  fi
done
echo "== fuzzing for ${seconds}s with $(ls "$corpus" | wc -l) seed models"

# libFuzzer exits non-zero on any finding; set -e turns that into ours.
"$binary" "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 \
  -artifact_prefix="$out/"
