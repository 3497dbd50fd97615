#!/usr/bin/env bash
# Latency and throughput of the signature endpoint beside a trivial FastAPI endpoint
# (/health) of the same app, measured in the same run with wrk (apt install wrk).
# Usage: bash bench/bench_api.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; conns=${2:-8}; port=${PORT:-8765}
home=$(mktemp -d)
MIGKG_HOME=$home .venv/bin/migkg serve --port "$port" >"$home/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$home"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.2; done
for path in /health /v1/countries/Serbia/agreements /v1/countries/RS/agreements /health; do
  echo "== $path"
  wrk -t2 -c"$conns" -d"${secs}s" -s bench/wrk_report.lua "http://127.0.0.1:$port$path" \
    | grep -E "^p50|Non-2xx"
done
