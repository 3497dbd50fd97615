#!/usr/bin/env bash
# Load time and peak memory of `migkg load --full` (a rebuild; a plain reload of
# unchanged data is a no-op) on the curated data (hyperfine and
# /usr/bin/time -v; apt install hyperfine time), beside `migkg validate` as a baseline
# measured in the same run. Prints medians and the ratio to the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
home=$(mktemp -d); trap 'rm -rf "$home"' EXIT
export MIGKG_HOME=$home
hyperfine --warmup 2 --runs "${RUNS:-10}" --export-json "$home/h.json" \
  '.venv/bin/migkg validate' '.venv/bin/migkg load --full'
python3 - "$home/h.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
base = results[0]["median"]
for r in results:
    print(f"median {r['median'] * 1000:7.1f} ms  x{r['median'] / base:.2f}  {r['command']}")
PY
/usr/bin/time -v .venv/bin/migkg load --full 2>&1 | grep -E "loaded|Maximum resident|Elapsed"
