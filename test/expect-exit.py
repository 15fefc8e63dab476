# Runs a command and succeeds only if it exits with the given status, so lit
# tests can tell usage errors (2) from input errors (1) where `not` accepts
# any failure. lit.cfg.py names it %expect-exit.
# usage: expect-exit.py STATUS COMMAND ARGS...
import subprocess
import sys

expected = int(sys.argv[1])
status = subprocess.call(sys.argv[2:])
if status != expected:
    print(f"expect-exit: expected exit status {expected}, got {status}",
          file=sys.stderr)
    sys.exit(1)
