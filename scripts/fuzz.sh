#!/usr/bin/env bash
# Builds the fuzz targets of tools/pp-fuzz with clang's libFuzzer, ASan and
# UBSan, and fuzzes each for FUZZ_SECONDS (default 30):
#   onnx      the ONNX reader (lib/Support)
#   import    the whole importer: graph checks, op importers, folders,
#             verifiers (links the shared MLIR; --const-input reads .npy
#             with the runtime's reader)
#   schedule  the schedule text parser, verifier and printer (--schedule=FILE)
#   npy       .npy reading (run --input)
# Seeds: the committed regression corpus test/fuzz-corpus/<target> (onnx
# serves import too), plus small models from libonnx-testdata. Every target
# runs even when an earlier one fails. A finding (crash, leak, undefined
# behaviour, timeout, out-of-memory) is printed as a hex dump, kept in
# BUILD_DIR/fuzz/, and copied into test/fuzz-corpus/<target>/ so that, once
# fixed and committed, ctest's fuzz-replay-<target> replays it forever.
#
#   scripts/fuzz.sh [BUILD_DIR]      (default: build)
#   FUZZ_SECONDS=600 scripts/fuzz.sh
set -uo pipefail

cd "$(dirname "$0")/.."
build=${1:-build}
seconds=${FUZZ_SECONDS:-30}
cxx=${CXX_FUZZ:-clang++-22}
out="$build/fuzz"
llvm=/usr/lib/llvm-22
testdata=/usr/share/libonnx-testdata/data
mkdir -p "$out/obj"
flags=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
  -O1 -g -std=c++17 -I include -I lib/Support -I runtime/include)

# compile OBJECT_NAME SOURCES... : objects in parallel, one per core.
compile() {
  local name=$1
  shift
  objects=()
  local pids=()
  for source in "$@"; do
    local object="$out/obj/$name-$(echo "$source" | tr / _).o"
    objects+=("$object")
    "$cxx" "${flags[@]}" -I "$build/include" -isystem "$llvm/include" \
      -c "$source" -o "$object" &
    pids+=($!)
    if ((${#pids[@]} == $(nproc))); then
      for pid in "${pids[@]}"; do wait "$pid" || exit 1; done
      pids=()
    fi
  done
  for pid in "${pids[@]}"; do wait "$pid" || exit 1; done
}

build_target() {
  local name=$1 main=$2 libs=$3
  shift 3
  echo "== building $out/pp-fuzz-$name"
  compile "$name" "$main" "$@"
  # shellcheck disable=SC2086
  "$cxx" -fsanitize=fuzzer,address,undefined "${objects[@]}" $libs \
    -o "$out/pp-fuzz-$name" || exit 1
}

build_target onnx tools/pp-fuzz/fuzz_onnx.cpp "" lib/Support/*.cpp
build_target schedule tools/pp-fuzz/fuzz_schedule.cpp "" lib/Schedule/*.cpp
build_target npy tools/pp-fuzz/fuzz_npy.cpp "" runtime/lib/Npy.cpp \
  runtime/lib/DType.cpp runtime/lib/Half.cpp
build_target import tools/pp-fuzz/fuzz_import.cpp \
  "-L$llvm/lib -lMLIR -lLLVM -Wl,-rpath,$llvm/lib" \
  lib/Import/*.cpp lib/Dialect/PP/IR/*.cpp lib/Support/*.cpp lib/Schedule/*.cpp \
  runtime/lib/Npy.cpp runtime/lib/DType.cpp runtime/lib/Half.cpp

# A fresh working corpus per target: the fuzzer adds to it, nothing there is
# committed.
work=$(mktemp -d "${TMPDIR:-/tmp}/pp-fuzz-corpus.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/onnx" "$work/schedule" "$work/npy"
cp test/fuzz-corpus/onnx/* "$work/onnx/"
cp test/fuzz-corpus/schedule/* "$work/schedule/"
cp test/fuzz-corpus/npy/* "$work/npy/"
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
    cp "$model" "$work/onnx/$(basename "$seed").onnx"
  fi
done

# fuzz TARGET CORPUS RSS_MB MALLOC_MB
failed=()
fuzz() {
  local name=$1 corpus=$2
  echo "== fuzzing $name for ${seconds}s with $(ls "$corpus" | wc -l) seeds"
  if ! "$out/pp-fuzz-$name" "$corpus" -max_total_time="$seconds" \
    -max_len=65536 -timeout=10 -rss_limit_mb="$3" -malloc_limit_mb="$4" \
    -print_final_stats=1 -artifact_prefix="$out/$name-"; then
    failed+=("$name")
    for artifact in $(ls -t "$out" | grep "^$name-" | head -n 1); do
      local keep="test/fuzz-corpus/${name/import/onnx}/$artifact"
      cp "$out/$artifact" "$keep"
      echo "== $name found $out/$artifact (copied to $keep; fix it and commit it):"
      od -A x -t x1z "$out/$artifact" | head -n 64
    done
  fi
}
fuzz onnx "$work/onnx" 2048 1024
fuzz import "$work/onnx" 4096 2048
fuzz schedule "$work/schedule" 2048 1024
fuzz npy "$work/npy" 2048 1024

if ((${#failed[@]})); then
  echo "== fuzzing failed: ${failed[*]}"
  exit 1
fi
echo "== fuzzing clean: onnx import schedule npy"
