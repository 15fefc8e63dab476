#!/bin/sh
# MpiRunTest.sh - multi-rank runs under mpirun (registered with ctest).
#
#   MpiRunTest.sh mlp PPRT_MLP        mpirun -np 8 writes the same files as
#                                     --ranks 8 and the single-rank program,
#                                     and the same --report-memory lines
#   MpiRunTest.sh wrong-size PPRT_MLP mpirun -np 4 is a clear error
#   MpiRunTest.sh comm CHECK          every Comm op over MPI (np 2, 4 and 8)
#   MpiRunTest.sh watchdog CHECK      an unmatched recv ends the job with the
#                                     watchdog's message instead of hanging
#   MpiRunTest.sh nccl CUDA_CHECK     every Comm op over NCCL, 2 processes
#                                     (skipped with fewer than 2 GPUs)
#
# Exits 77 (ctest: skipped) when mpirun is not installed.

mode=$1
bin=$2
if ! command -v mpirun >/dev/null 2>&1; then
  echo "mpirun not found: skipped"
  exit 77
fi
if [ "$(id -u)" = 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# More ranks than cores is fine for these tiny runs.
MPIRUN="mpirun --oversubscribe"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*"
  exit 1
}

case $mode in
mlp)
  "$bin" --write-fixture "$tmp" || fail "fixture"
  common="--input x=$tmp/x.npy --weights-dir $tmp --report-memory"
  "$bin" --single --input "x=$tmp/x.npy" --weights-dir "$tmp" \
    --output-dir "$tmp/single" || fail "single-rank run"
  "$bin" $common --ranks 8 --output-dir "$tmp/threads" >"$tmp/threads.txt" ||
    fail "--ranks 8"
  $MPIRUN -np 8 "$bin" $common --output-dir "$tmp/mpi" --repeat 2 \
    >"$tmp/mpi.txt" || fail "mpirun -np 8"
  for f in h.npy h_blocks.npy y.npy; do
    cmp "$tmp/threads/$f" "$tmp/mpi/$f" || fail "$f differs (--ranks / mpirun)"
    cmp "$tmp/single/$f" "$tmp/mpi/$f" || fail "$f differs (1 rank / mpirun)"
  done
  grep '^rank' "$tmp/mpi.txt" >"$tmp/mpi-memory.txt"
  cmp "$tmp/threads.txt" "$tmp/mpi-memory.txt" || fail "memory reports differ"
  grep -q '^rank 7 (stage 1): weights 100 bytes, activations 32 bytes$' "$tmp/mpi.txt" ||
    fail "no weight report for rank 7"
  grep -q '^time: forward mean .* ms over 2 runs$' "$tmp/mpi.txt" ||
    fail "no timing line"
  echo "mpirun -np 8 matches --ranks 8 and the single-rank program"
  ;;
wrong-size)
  out=$($MPIRUN -np 4 "$bin" 2>&1) && fail "mpirun -np 4 succeeded"
  echo "$out" | grep -q "error: this program was compiled for 8 ranks (dp=2 x pp=2 x tp=2), got mpirun with 4 processes" ||
    fail "unexpected output: $out"
  echo "mpirun -np 4: clear error"
  ;;
comm)
  for n in 2 4 8; do
    $MPIRUN -np $n "$bin" || fail "comm checks on $n ranks"
  done
  ;;
watchdog)
  start=$(date +%s)
  out=$(PPRT_COMM_TIMEOUT=1 $MPIRUN -np 2 -x PPRT_COMM_TIMEOUT "$bin" \
    --unmatched-recv 2>&1) && fail "the unmatched recv did not fail"
  echo "$out" | grep -q "error: rank 1: timed out after 1 s in recv from rank 0 (tag 1): check: unmatched recv" ||
    fail "unexpected output: $out"
  [ $(($(date +%s) - start)) -lt 20 ] || fail "took too long"
  echo "watchdog: $(echo "$out" | grep 'timed out')"
  ;;
nccl)
  gpus=$("$bin" --gpus)
  if [ "$gpus" -lt 2 ]; then
    echo "$gpus GPUs, NCCL needs 2: skipped"
    exit 77
  fi
  out=$($MPIRUN -np 2 "$bin" --nccl 2>&1)
  status=$?
  echo "$out"
  case $out in *skipped*) exit 77 ;; esac
  [ $status = 0 ] || fail "NCCL comm checks"
  ;;
*)
  fail "unknown mode $mode"
  ;;
esac
