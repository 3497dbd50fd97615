#!/usr/bin/env bash
# The whole test suite, from a fresh clone on a machine with Python, Node and apt.
# Installs what the tests need: the package with test extras, Neo4j's Cypher checker
# (npm), Debian's chromium and docker-compose for the browser and compose tests, and
# a JDK and Maven, with which the suite builds and starts a real Neo4j 5.26 from its
# published jars (tests/neo4j_server; the jars land in ~/.m2 on the first run).
# Each step runs only when its input changed (scripts/lib.sh): a second run starts the
# tests within seconds. Install output goes to .venv/install.log, shown on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
install_debs chromium=chromium,chromium-driver docker-compose=docker-compose \
  java=default-jdk-headless mvn=maven
# The test extras include the package: run.sh's stamp is written too.
install_venv '.[test]' .venv/.migkg-installed-test .venv/.migkg-installed
install_npm tests/cypher_lint
install_npm tests/browser_audit
# The Neo4j tests fail rather than skip when no Neo4j could be started.
export MIGKG_REQUIRE_NEO4J="${MIGKG_REQUIRE_NEO4J:-1}"
# One worker per core and one more (pytest-xdist): many tests wait on a child process
# (serve, load, Chromium, the JVM), and with a worker per core the run kept the cores
# 80 % busy (159 % of 2 in /usr/bin/time -v). tests/conftest.py keeps each module's
# tests, and all the Neo4j tests, on one worker each (its xdist scheduler).
exec .venv/bin/python -m pytest tests -n "${MIGKG_TEST_WORKERS:-$(( $(nproc) + 1 ))}" --dist loadscope "$@"
