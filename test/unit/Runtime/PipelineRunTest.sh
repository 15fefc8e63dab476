#!/bin/sh
# PipelineRunTest.sh - the programs of PipelinePrograms.h under --ranks and
# mpirun (registered with ctest).
#
#   PipelineRunTest.sh run BIN NAME N [LINE]...
#       both ways, every output equals its exact expected values, the files
#       are the same, and stdout (with --report-memory) has each LINE
#   PipelineRunTest.sh trace BIN NAME N ACTIONS...
#       --trace FILE both ways; CheckTrace.py checks it against the schedule
#       text of each pipeline rank (ACTIONS, one argument per rank)
#   PipelineRunTest.sh error BIN NAME N RANKS-MESSAGE MPI-MESSAGE
#       --ranks N exits 1 with RANKS-MESSAGE as a line of stderr; mpirun
#       -np N fails with MPI-MESSAGE; neither hangs or crashes
#
# The --ranks half always runs; without mpirun the test then exits 77
# (ctest: skipped).

mode=$1
bin=$2
name=$3
n=$4
shift 4
here=$(dirname "$0")
python=${PYTHON:-/usr/bin/python3}

if [ "$(id -u)" = 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# More ranks than cores is fine for these tiny runs. A lost message ends
# the run after 30 s instead of at ctest's timeout.
MPIRUN="mpirun --oversubscribe -x PPRT_COMM_TIMEOUT"
export PPRT_COMM_TIMEOUT=30

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*"
  exit 1
}

args=$("$bin" "$name" --fixture "$tmp") || fail "fixture"

# ranks_run OUT RUN-OPTIONS... / mpi_run OUT RUN-OPTIONS...: runs NAME
# with --ranks N / under mpirun -np N, outputs in $tmp/OUT, stdout and
# stderr in $tmp/OUT.txt and $tmp/OUT.err.
ranks_run() {
  out=$1
  shift
  "$bin" "$name" $args --ranks "$n" --output-dir "$tmp/$out" "$@" \
    >"$tmp/$out.txt" 2>"$tmp/$out.err"
}
mpi_run() {
  out=$1
  shift
  $MPIRUN -np "$n" "$bin" "$name" $args --output-dir "$tmp/$out" "$@" \
    >"$tmp/$out.txt" 2>"$tmp/$out.err"
}
have_mpi() {
  command -v mpirun >/dev/null 2>&1 && return 0
  echo "mpirun not found: --ranks $n passed, mpirun skipped"
  exit 77
}
# has_lines FILE LINE...: every LINE is a whole line of FILE.
has_lines() {
  file=$1
  shift
  for line in "$@"; do
    grep -qxF -- "$line" "$file" ||
      fail "no line '$line' in $file: $(cat "$file")"
  done
}

case $mode in
run)
  ranks_run ranks --report-memory ||
    fail "--ranks $n: $(cat "$tmp/ranks.err")"
  "$bin" "$name" --check "$tmp/ranks" || fail "--ranks $n: wrong outputs"
  has_lines "$tmp/ranks.txt" "$@"
  have_mpi
  mpi_run mpi --report-memory || fail "mpirun -np $n: $(cat "$tmp/mpi.err")"
  "$bin" "$name" --check "$tmp/mpi" || fail "mpirun -np $n: wrong outputs"
  has_lines "$tmp/mpi.txt" "$@"
  for f in "$tmp"/ranks/*.npy; do
    cmp "$f" "$tmp/mpi/$(basename "$f")" ||
      fail "$(basename "$f") differs (--ranks / mpirun)"
  done
  echo "$name: --ranks $n and mpirun -np $n write the expected outputs"
  ;;
trace)
  ranks_run ranks --trace "$tmp/ranks.json" ||
    fail "--ranks $n: $(cat "$tmp/ranks.err")"
  "$bin" "$name" --check "$tmp/ranks" || fail "--ranks $n: wrong outputs"
  "$python" "$here/CheckTrace.py" "$tmp/ranks.json" "$@" ||
    fail "--ranks $n: bad trace"
  have_mpi
  mpi_run mpi --trace "$tmp/mpi.json" ||
    fail "mpirun -np $n: $(cat "$tmp/mpi.err")"
  "$bin" "$name" --check "$tmp/mpi" || fail "mpirun -np $n: wrong outputs"
  "$python" "$here/CheckTrace.py" "$tmp/mpi.json" "$@" ||
    fail "mpirun -np $n: bad trace"
  ;;
error)
  ranks_run ranks
  status=$?
  [ $status = 1 ] || fail "--ranks $n exited $status: $(cat "$tmp/ranks.err")"
  has_lines "$tmp/ranks.err" "$1"
  echo "--ranks $n: $1"
  have_mpi
  mpi_run mpi
  status=$?
  # mpirun passes on the ranks' exit status 1; a crash would be a signal.
  [ $status = 1 ] || fail "mpirun -np $n exited $status: $(cat "$tmp/mpi.err")"
  has_lines "$tmp/mpi.err" "$2"
  echo "mpirun -np $n: $2"
  ;;
*)
  fail "unknown mode $mode"
  ;;
esac
