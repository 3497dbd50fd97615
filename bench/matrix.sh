#!/usr/bin/env bash
# The whole scale matrix in one go (bench/matrix.py): sizes in entities, default 10000.
#   bash bench/matrix.sh 10000 100000 1000000
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in /usr/bin/time wrk; do
  [ -x "$(command -v "$tool")" ] || { echo "missing $tool: apt-get install -y time wrk" >&2; exit 2; }
done
exec .venv/bin/python bench/matrix.py "$@"
