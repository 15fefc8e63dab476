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
flags=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
  -O1 -g -std=c++17 -I include -I lib/Support)

echo "== building $binary"
"$cxx" "${flags[@]}" tools/pp-import-fuzz/fuzz_onnx.cpp lib/Support/*.cpp \
  -o "$binary"

# The whole importer (graph checks, op importers, folders, verifiers, and
# the schedule library behind pp.schedule's verifier) links
# the shared MLIR and needs the ODS headers of a configured build.
importer="$out/pp-import-fuzz-ir"
llvm=/usr/lib/llvm-22
echo "== building $importer"
mkdir -p "$out/obj"
objects=()
pids=()
for source in tools/pp-import-fuzz/fuzz_import.cpp lib/Import/*.cpp \
  lib/Dialect/PP/IR/*.cpp lib/Support/*.cpp lib/Schedule/*.cpp; do
  object="$out/obj/$(echo "$source" | tr / _).o"
  objects+=("$object")
  "$cxx" "${flags[@]}" -I "$build/include" -isystem "$llvm/include" \
    -c "$source" -o "$object" &
  pids+=($!)
  # One compile per core; a failed compile fails the script.
  if ((${#pids[@]} == $(nproc))); then
    for pid in "${pids[@]}"; do wait "$pid"; done
    pids=()
  fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
"$cxx" -fsanitize=fuzzer,address,undefined "${objects[@]}" -L"$llvm/lib" \
  -lMLIR -lLLVM -Wl,-rpath,"$llvm/lib" -o "$importer"

# A fresh corpus each run: seeds are copied in, nothing is committed.
corpus=$(mktemp -d "${TMPDIR:-/tmp}/pp-fuzz-corpus.XXXXXX")
trap 'rm -rf "$corpus"' EXIT
seeds=(node/test_abs node/test_add node/test_constant node/test_conv_with_strides_padding
  node/test_if node/test_loop11 node/test_reshape_extended_dims node/test_cast_FLOAT_to_BFLOAT16
  node/test_gather_0 node/test_strnormalizer_export_monday_casesensintive_lower
  node/test_layer_normalization_2d_axis0 node/test_gemm_default_single_elem_vector_bias
  node/test_scan_sum node/test_constantofshape_int_zeros simple/test_gradient_of_add
  pytorch-operator/test_operator_add_size1_broadcast pytorch-converted/test_Linear
  pytorch-converted/test_Embedding pytorch-converted/test_BatchNorm1d_3d_input_eval
  node/test_matmul_2d node/test_softmax_axis_0 node/test_slice node/test_einsum_batch_matmul
  node/test_where_example node/test_concat_2d_axis_0 node/test_split_equal_parts_1d
  node/test_unsqueeze_axis_0 node/test_expand_dim_changed node/test_range_float_type_positive_delta
  node/test_reduce_mean_default_axes_keepdims_example node/test_transpose_all_permutations_0)
for seed in "${seeds[@]}"; do
  model="$testdata/$seed/model.onnx"
  # Large models make slow seeds; small ones cover the same fields.
  if [[ -f $model ]] && (($(stat -c %s "$model") <= 65536)); then
    cp "$model" "$corpus/$(basename "$seed").onnx"
  fi
done
echo "== fuzzing the ONNX reader for ${seconds}s with $(ls "$corpus" | wc -l) seed models"

# libFuzzer exits non-zero on any finding; set -e turns that into ours.
"$binary" "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 \
  -artifact_prefix="$out/reader-"
echo "== fuzzing the whole importer for ${seconds}s"
"$importer" "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=4096 -malloc_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$out/importer-"
