#!/usr/bin/env bash
# Main job on the embedded engine: install, validate and load data/, print stats,
# then serve the API and the explorer on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e .
.venv/bin/migkg validate
.venv/bin/migkg load
.venv/bin/migkg stats
exec .venv/bin/migkg serve --host 127.0.0.1 --port 8000
