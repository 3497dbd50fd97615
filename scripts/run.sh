#!/usr/bin/env bash
# Main job on the embedded engine: install (only when pyproject.toml changed), validate
# and load data/, then serve the API and the explorer on MIGKG_HOST:MIGKG_PORT
# (default 127.0.0.1:8000). Ctrl+C stops the server and its engine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
# The venv remembers the pyproject.toml it was installed from (scripts/lib.sh).
install_venv . .venv/.migkg-installed
.venv/bin/migkg load        # validates first; one summary line with the counts
exec .venv/bin/migkg serve  # MIGKG_HOST / MIGKG_PORT; prints the URL
