"""How the checkers start a compiled program on all of its ranks."""

import json
import os
import subprocess


def run_ranks(out, run, mpirun, timeout=600):
    """Runs `run` (OUT/run and its flags) on the ranks plan.json lists:
    `--ranks N` threads, or N MPI processes with `mpirun` (as root, as the
    CI machine runs). Returns the CompletedProcess, output captured."""
    ranks = len(json.load(open(os.path.join(out, "plan.json")))["ranks"])
    if mpirun and ranks > 1:
        env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1",
                   OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        cmd = ["mpirun", "--oversubscribe", "-np", str(ranks), *run]
    else:
        env, cmd = None, run + (["--ranks", str(ranks)] if ranks > 1 else [])
    return subprocess.run(cmd, capture_output=True, text=True, env=env,
                          timeout=timeout)
