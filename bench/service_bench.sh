#!/usr/bin/env bash
# Benchmarks falcon-xecutor on loopback with wrk:
#   1. GET /health at a fixed ~1000 req/s (wrk's Lua delay() paces each connection), service pinned to one core
#   2. GET /health flat out (closed loop), same core
#   3. POST /webhook (paper mode) against the mock FalconX, every body distinct so dedup does not 409 them
# Prints requests/s and latency percentiles. Usage: bench/service_bench.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
secs="${2:-10}"
svc="$build/src/service/falcon-xecutor"
mock="$build/tests/mock_falconx/mock_falconx"
[ -x "$svc" ] && [ -x "$mock" ] || { echo "build falcon_xecutor and mock_falconx in $build first" >&2; exit 2; }

if ! command -v wrk >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_up() { for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.05; done; echo "not up: $1" >&2; exit 1; }

mock_port="$(free_port)"
svc_port="$(free_port)"
fx_secret="bW9jay1mYWxjb254LXNlY3JldC1rZXktMDEyMzQ1Njc4OQ=="
hook_secret="bench-secret-$$"
MOCK_FALCONX_API_KEY=bench MOCK_FALCONX_SECRET_KEY="$fx_secret" MOCK_FALCONX_PASSPHRASE=bench \
  taskset -c 1 "$mock" --port "$mock_port" >"$work/mock.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$mock_port/_admin/stats"
FALCONX_API_KEY=bench FALCONX_SECRET_KEY="$fx_secret" FALCONX_PASSPHRASE=bench \
  FALCONX_BASE_URL="http://127.0.0.1:$mock_port" XECUTOR_WEBHOOK_SECRET="$hook_secret" \
  taskset -c 0 "$svc" --port "$svc_port" --slot blue >"$work/service.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$svc_port/health"

cat >"$work/paced.lua" <<'LUA'
-- 10 connections x one request per 10 ms each = ~1000 req/s
function delay() return 10 end
LUA
cat >"$work/webhook.lua" <<LUA
local counter = 0
function request()
  counter = counter + 1
  local body = string.format("BUY\n0.%09d BTC\n30000 USD\nsecret: $hook_secret\n", counter)
  return wrk.format("POST", "/webhook", {["Content-Type"] = "text/plain"}, body)
end
LUA

summary() {  # wrk output -> one line of figures
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +90%/ {p90=$2} /^ +99%/ {p99=$2}
       /Non-2xx/ {non2xx=$NF} /Socket errors/ {err=$0}
       END {printf "requests/s=%s p50=%s p90=%s p99=%s non-2xx=%s %s\n", rps, p50, p90, p99, (non2xx==""?0:non2xx), err}'
}

echo "== machine: nproc=$(nproc), cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')"
echo "== load average before the runs: $(cut -d" " -f1-3 /proc/loadavg) (other builds on the machine skew the tail latencies)"
echo "== service pinned to CPU 0 (taskset), wrk and the mock on CPU 1; ${secs}s per run"

echo "-- /health paced at ~1000 req/s (10 connections, 10 ms delay each)"
taskset -c 1 wrk -t1 -c10 -d"${secs}s" --latency -s "$work/paced.lua" "http://127.0.0.1:$svc_port/health" | tee "$work/a.txt" | sed -n '/Latency Distribution/,/Requests\/sec/p'
echo "SUMMARY health_paced: $(summary <"$work/a.txt")"

echo "-- /health closed loop (1 thread, 8 connections)"
taskset -c 1 wrk -t1 -c8 -d"${secs}s" --latency "http://127.0.0.1:$svc_port/health" >"$work/b.txt"
echo "SUMMARY health_max: $(summary <"$work/b.txt")"

echo "-- /webhook paper mode -> mock FalconX quote (1 thread, 4 connections, distinct bodies)"
taskset -c 1 wrk -t1 -c4 -d"${secs}s" --latency -s "$work/webhook.lua" "http://127.0.0.1:$svc_port/webhook" >"$work/c.txt"
echo "SUMMARY webhook_paper: $(summary <"$work/c.txt")"
quoted="$(grep -c '"outcome":"quoted"' "$work/service.log" || true)"
echo "webhook requests answered 'quoted' (per the service log): $quoted; mock signature failures: $(curl -s "http://127.0.0.1:$mock_port/_admin/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["auth_failures"])')"
