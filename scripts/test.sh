#!/usr/bin/env bash
# The whole test suite, from a fresh clone on a machine with Python, Node and apt.
# Installs what the tests need: the package with test extras, Neo4j's Cypher checker
# (npm), and Debian's chromium and docker-compose for the browser and compose tests.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null || need+=(chromium chromium-driver)
command -v docker-compose >/dev/null || need+=(docker-compose)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${need[@]}"
fi
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e '.[test]'
npm ci --silent --prefix tests/cypher_lint
exec .venv/bin/python -m pytest tests "$@"
