#!/usr/bin/env bash
# The GPU checks, for a machine lent with a GPU. The GPU machine has CUDA,
# PyTorch and numpy but no MLIR, so the work is split in two:
#
#   scripts/gpu-check.sh prepare DIR [BUILD_DIR]   here (MLIR, nvcc): exports the
#       GPT-2-, Llama- and BERT-style models with torch (inputs + torch's
#       reference outputs), compiles each for --target=cuda in f32, bf16 and
#       f16 and as a 2-stage pipeline (pp=2), GPT-2 with pp-add-loss, a
#       1-layer GPT-2 training step (--train), a 2-layer one trained at
#       (P,T,D) = (2,1,1) with 1f1b and at (1,2,2) with ZeRO-1, a 2-layer
#       Llama generator (--generate) on one rank and at tp=2, and the
#       loss kernels' program
#       (test/e2e/Inputs/loss-kernels.mlir), and copies
#       the cuda kernel and comm checks and every shared library the programs
#       need into DIR
#   scripts/gpu-check.sh run DIR                    on the GPU machine: runs it
#       all and compares with torch; exits 1 on any failure
#   scripts/gpu-check.sh all DIR [BUILD_DIR]        both, on a machine with
#       MLIR and a GPU (what the lit tests marked `REQUIRES: cuda-gpu` use)
#   scripts/gpu-check.sh carry-libs DIR             copies the shared libraries
#       that DIR's programs need and the GPU machine may lack into DIR/lib
#       (prepare does; bench/gpu_speed.py prepare uses it too)
#
# Bounds, relative to max(1, max|torch|): f32 1e-4 (as on cpu); f16 2e-2 and
# bf16 6e-2, the rounding of 10 and 7 mantissa bits accumulated over a
# 2-layer model (weights converted on load, f32 accumulation in the kernels).
# The pp=2 program runs as 2 rank threads sharing one GPU (`--ranks 2`,
# LocalComm; NCCL refuses two ranks on one GPU) and, with 2 GPUs or more,
# under mpirun on NCCL. Takes about a minute of GPU time.
set -euo pipefail

mode=${1:?usage: gpu-check.sh prepare|run|all DIR [BUILD_DIR]}
dir=${2:?usage: gpu-check.sh prepare|run|all DIR [BUILD_DIR]}
build=${3:-build}
models=(gpt2 llama bert)

# Libraries outside the CUDA toolkit and libc (Open MPI, OpenBLAS, ...) may
# be missing on the GPU machine: copies those that DIR's programs (any `run`
# two or three levels down, and DIR/bin/pprt-*) need into DIR/lib.
carry_libs() {
  mkdir -p "$dir/lib"
  for binary in "$dir"/*/*/run "$dir"/*/*/*/run "$dir"/bin/pprt-*; do
    if [[ -x $binary ]]; then ldd "$binary" | awk '/=> \// {print $3}'; fi
  done | sort -u | { grep -v -e '/cuda' -e '/libc\.' -e '/libm\.' \
    -e '/libstdc++' -e '/libgcc_s' -e 'ld-linux' -e '/libdl\.' \
    -e '/libpthread' -e '/librt\.' -e 'libcuda\.' -e 'libnccl' -e 'libcublas' ||
    true; } | while read -r lib; do cp -L "$lib" "$dir/lib/"; done
}

prepare() {
  local src
  src=$(cd "$(dirname "$0")/.." && pwd)
  build=$(cd "$build" && pwd)
  rm -rf "$dir" && mkdir -p "$dir/bin" "$dir/lib"
  for m in "${models[@]}"; do
    /usr/bin/python3 "$src/python/export_$m.py" --out "$dir/$m/model" >/dev/null
    for dtype in f32 bf16 f16; do
      "$build/bin/pp-opt" "$dir/$m/model/model.onnx" --target=cuda \
        --dtype=$dtype -o "$dir/$m/$dtype"
    done
    "$build/bin/pp-opt" "$dir/$m/model/model.onnx" --target=cuda --pp=2 \
      -o "$dir/$m/pp2"
  done
  "$build/bin/pp-opt" "$dir/gpt2/model/model.onnx" --pp-add-loss \
    --target=cuda -o "$dir/gpt2/loss"
  "$build/bin/pp-opt" "$src/test/e2e/Inputs/loss-kernels.mlir" --target=cuda \
    -o "$dir/loss/kernels"
  /usr/bin/python3 "$src/python/export_gpt2.py" --layers 1 --train \
    --out "$dir/train/gpt2" >/dev/null
  "$build/bin/pp-opt" "$dir/train/gpt2/model.onnx" --train --target=cuda \
    -o "$dir/train/gpt2-step"
  /usr/bin/python3 "$src/python/export_gpt2.py" --layers 2 --train \
    --out "$dir/train/gpt2-2" >/dev/null
  "$build/bin/pp-opt" "$dir/train/gpt2-2/model.onnx" --train --pp=2 \
    --microbatches=2 --schedule=1f1b --target=cuda -o "$dir/train/gpt2-pp2"
  "$build/bin/pp-opt" "$dir/train/gpt2-2/model.onnx" --train --tp=2 --dp=2 \
    --zero=1 --target=cuda -o "$dir/train/gpt2-tp2dp2"
  "$build/bin/pp-opt" "$dir/train/gpt2-2/model.onnx" --train --pp=2 \
    --microbatches=2 --schedule=1f1b --dtype=bf16 --target=cuda \
    -o "$dir/train/gpt2-pp2-bf16"
  /usr/bin/python3 "$src/python/export_llama.py" --layers 2 --kv-heads 2 \
    --seq 32 --batch 4 --generate 24 --out "$dir/generate/llama" >/dev/null
  "$build/bin/pp-opt" "$dir/generate/llama/model.onnx" --generate \
    --target=cuda -o "$dir/generate/llama-tp1"
  "$build/bin/pp-opt" "$dir/generate/llama/model.onnx" --generate --tp=2 \
    --target=cuda -o "$dir/generate/llama-tp2"
  cp "$src/python/run_and_compare.py" "$src/python/check_loss_kernels.py" \
    "$src/python/check_model_loss.py" "$src/python/check_training.py" \
    "$dir/bin/"
  cp "$build/test/unit/Runtime/pprt-cuda-kernels-check-program" \
    "$build/test/unit/Runtime/pprt-cuda-comm-check" "$dir/bin/"
  carry_libs
  # About 80 MiB unpacked, 13 MiB as .tar.xz (OpenBLAS is most of it).
  echo "prepared $dir: carry it (tar cJf) to the GPU machine and run: scripts/gpu-check.sh run $dir"
}

run() {
  export LD_LIBRARY_PATH="$dir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  local python=python3 failed=0 gpus
  [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import numpy' 2>/dev/null &&
    python=/usr/bin/python3
  nvidia-smi -L || true
  check() {
    local label=$1
    shift
    if "$@"; then echo "== $label: ok"; else echo "== $label: FAIL"; failed=1; fi
  }
  check "cuda kernels vs cpu" "$dir/bin/pprt-cuda-kernels-check-program"
  check "comm on GPU buffers (rank threads)" "$dir/bin/pprt-cuda-comm-check"
  for m in "${models[@]}"; do
    check "$m f32" $python "$dir/bin/run_and_compare.py" "$dir/$m/f32/run" \
      "$dir/$m/model" --tol 1e-4
    check "$m f32 replayed as a CUDA graph (--cuda-graphs)" $python \
      "$dir/bin/run_and_compare.py" "$dir/$m/f32/run" "$dir/$m/model" \
      --tol 1e-4 -- --cuda-graphs --repeat 2
    check "$m f32 without cuBLASLt (PPRT_CUBLASLT=0)" env PPRT_CUBLASLT=0 \
      $python "$dir/bin/run_and_compare.py" "$dir/$m/f32/run" \
      "$dir/$m/model" --tol 1e-4
    check "$m bf16" $python "$dir/bin/run_and_compare.py" "$dir/$m/bf16/run" \
      "$dir/$m/model" --tol 6e-2
    check "$m bf16 replayed as a CUDA graph (--cuda-graphs)" $python \
      "$dir/bin/run_and_compare.py" "$dir/$m/bf16/run" "$dir/$m/model" \
      --tol 6e-2 -- --cuda-graphs
    check "$m f16" $python "$dir/bin/run_and_compare.py" "$dir/$m/f16/run" \
      "$dir/$m/model" --tol 2e-2
    check "$m pp=2 as 2 rank threads on one GPU" $python \
      "$dir/bin/run_and_compare.py" "$dir/$m/pp2/run" "$dir/$m/model" \
      --tol 1e-4 -- --ranks 2
  done
  check "loss kernels vs torch and np.add.at, bad labels and indices" $python \
    "$dir/bin/check_loss_kernels.py" "$dir/loss/kernels/run" \
    "$dir/loss/kernels/work" --errors
  check "gpt2 loss vs torch" $python "$dir/bin/check_model_loss.py" \
    "$dir/gpt2/loss/run" "$dir/gpt2/model" "$dir/gpt2/loss/work"
  check "gpt2 --train step-1 loss and gradients vs torch" $python \
    "$dir/bin/check_training.py" - "$dir/train/gpt2" "$dir/train/work" \
    --program "$dir/train/gpt2-step/run"
  check "gpt2 --train at (2,1,1), 1f1b, 2 rank threads: gradients vs torch" \
    $python "$dir/bin/check_training.py" - "$dir/train/gpt2-2" \
    "$dir/train/work-pp2" --program "$dir/train/gpt2-pp2/run" --run-arg=--ranks \
    --run-arg=2
  check "gpt2 --train at (1,2,2), ZeRO-1, 4 rank threads: gradients vs torch" \
    $python "$dir/bin/check_training.py" - "$dir/train/gpt2-2" \
    "$dir/train/work-tp2dp2" --program "$dir/train/gpt2-tp2dp2/run" \
    --run-arg=--ranks --run-arg=4
  check "gpt2 --train at (2,1,1), bf16 mixed precision: gradients vs torch f32 within 5e-2 of max" \
    $python "$dir/bin/check_training.py" - "$dir/train/gpt2-2" \
    "$dir/train/work-pp2-bf16" --program "$dir/train/gpt2-pp2-bf16/run" \
    --run-arg=--ranks --run-arg=2 --rel-tol=5e-2
  for t in 1 2; do
    gen="$dir/generate/llama-tp$t"
    check "llama --generate at tp=$t: 24 greedy tokens equal torch's" \
      bash -c "'$gen/run' --ranks $t --prompt '$dir/generate/llama/generate/prompt.npy' \
        --max-new-tokens 24 --dump-logits --output-dir '$gen/res' && $python -c \
        \"import numpy as np; t = np.load('$gen/res/tokens.npy'); \
        r = np.load('$dir/generate/llama/generate/ref_tokens.npy'); \
        l = np.load('$gen/res/step_logits.npy'); \
        rl = np.load('$dir/generate/llama/generate/ref_step_logits.npy'); \
        e = abs(l - rl).max() / max(1, abs(rl).max()); print('logits', e); \
        assert (t == r).all() and e <= 1e-4\""
  done
  gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU' || true)
  if ((gpus >= 2)) && command -v mpirun >/dev/null; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    check "NCCL comm under mpirun" mpirun --oversubscribe -np 2 \
      "$dir/bin/pprt-cuda-comm-check" --nccl
    for m in "${models[@]}"; do
      check "$m pp=2 under mpirun (NCCL)" $python "$dir/bin/run_and_compare.py" \
        "$dir/$m/pp2/run" "$dir/$m/model" --tol 1e-4 --res "$dir/$m/pp2/res-mpi" \
        --launcher "mpirun --oversubscribe -np 2 -x LD_LIBRARY_PATH"
    done
  else
    echo "== NCCL across processes: not run ($gpus GPU(s) or no mpirun)"
  fi
  return $failed
}

case $mode in
prepare) prepare ;;
carry-libs) carry_libs ;;
run) run ;;
all) prepare && run ;;
*) echo "usage: gpu-check.sh prepare|run|all|carry-libs DIR [BUILD_DIR]" >&2; exit 2 ;;
esac
