# Runs a command and succeeds only if it exits with the given status, so lit
# tests can tell pp-schedule's usage errors (2) from schedule errors (1).
# usage: exit-code.py STATUS COMMAND ARGS...
import subprocess
import sys

expected = int(sys.argv[1])
status = subprocess.call(sys.argv[2:])
if status != expected:
    print(f"exit-code.py: expected exit status {expected}, got {status}",
          file=sys.stderr)
    sys.exit(1)
