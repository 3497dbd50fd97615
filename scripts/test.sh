#!/usr/bin/env bash
# The whole test suite, from a fresh clone on a machine with Python, Node and apt.
# Installs what the tests need: the package with test extras, Neo4j's Cypher checker
# (npm), Debian's chromium and docker-compose for the browser and compose tests, and
# a JDK and Maven, with which the suite builds and starts a real Neo4j 5.26 from its
# published jars (tests/neo4j_server; the jars land in ~/.m2 on the first run).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null || need+=(chromium chromium-driver)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v java >/dev/null || need+=(default-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${need[@]}"
fi
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e '.[test]'
npm ci --silent --prefix tests/cypher_lint
npm ci --silent --prefix tests/browser_audit
# The Neo4j tests fail rather than skip when no Neo4j could be started.
export MIGKG_REQUIRE_NEO4J="${MIGKG_REQUIRE_NEO4J:-1}"
exec .venv/bin/python -m pytest tests "$@"
