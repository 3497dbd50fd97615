#!/usr/bin/env bash
# Main job on the embedded engine: install (only when pyproject.toml changed), validate
# and load data/, then serve the API and the explorer on MIGKG_HOST:MIGKG_PORT
# (default 127.0.0.1:8000). Ctrl+C stops the server and its engine.
set -euo pipefail
cd "$(dirname "$0")/.."
# The venv remembers the pyproject.toml it was installed from; a restart with the
# same one skips pip altogether (it took 26 s even with nothing to do).
stamp=.venv/.migkg-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -x .venv/bin/migkg ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "run.sh: installing migration-kg into .venv (first run, or pyproject.toml changed)..."
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/pip install --quiet --disable-pip-version-check -e .
  echo "$want" > "$stamp"
fi
.venv/bin/migkg load        # validates first; one summary line with the counts
exec .venv/bin/migkg serve  # MIGKG_HOST / MIGKG_PORT; prints the URL
