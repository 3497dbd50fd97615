#!/usr/bin/env bash
# Runs a command beside two CPU-bound busy loops, as on a 2-core machine that is doing
# something else too: no test may fail because the machine is slow.
#
#   bash scripts/busy.sh                      # the whole suite: bash scripts/test.sh
#   bash scripts/busy.sh --seconds 600 bash scripts/test.sh tests/test_sandbox.py
#
# The loops end with the command, and after --seconds (default 1800) in any case.
# The command's exit code is this script's.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=1800
if [ "${1:-}" = "--seconds" ]; then
  seconds=$2
  shift 2
fi
[ $# -gt 0 ] || set -- bash scripts/test.sh
loops=()
stop() { kill "${loops[@]}" 2>/dev/null || true; }
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for _ in 1 2; do
  timeout "$seconds" bash -c 'while :; do :; done' &
  loops+=($!)
done
echo "busy.sh: two busy loops (pids ${loops[*]}, at most ${seconds} s) beside: $*" >&2
"$@"
