#!/usr/bin/env bash
# Promotes back and forth N times on the local backend (xdeploy-router + two
# falcon-xecutor slots on 127.0.0.1) while a client loop GETs the public port,
# and prints per run: failed/total requests, the downtime measured by
# xdeploy's prober, and the promote wall time; then a summary.
#
#   bench/local_promote_bench.sh [RUNS] [SWAP_GAP]      e.g. 10 0s  or  5 2s
#   BUILD=build (default) holds src/cli/xdeploy and its siblings.
set -euo pipefail
RUNS=${1:-5}
GAP=${2:-0s}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
XDEPLOY=$BUILD/src/cli/xdeploy
[ -x "$XDEPLOY" ] || { echo "no $XDEPLOY: build the xdeploy, xdeploy_router and falcon_xecutor targets" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is needed (scripts/install-deps.sh)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/xd-bench.XXXXXX")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BLUE=$(free_port); GREEN=$(free_port); PUBLIC=$(free_port)
XD=("$XDEPLOY" --backend local -C "$WORK" --slot-ports "$BLUE,$GREEN" --public-port "$PUBLIC" --yes
    --health-interval 200ms --swap-gap "$GAP")
LOAD_PID=""
cleanup() {
  [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null && wait "$LOAD_PID" 2>/dev/null || true
  "${XD[@]}" -q down >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# One request after another on a fresh connection, each line the HTTP code
# (000: no answer). Bounded by the stop file and by a hard cap.
load_loop() {
  local out=$1 n=0
  while [ ! -e "$WORK/stop" ] && [ $n -lt 100000 ]; do
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 2 "http://127.0.0.1:$PUBLIC/health" >>"$out" || true
    n=$((n + 1))
  done
}

echo "local promote bench: $RUNS runs, swap gap $GAP, ports blue $BLUE green $GREEN public $PUBLIC"
"${XD[@]}" -q blue >/dev/null
"${XD[@]}" -q teal >/dev/null

printf '%-4s %-7s %-5s %-14s %-12s %-12s\n' run target exit failed/total downtime_ms promote_ms
target=green
results=()
for run in $(seq 1 "$RUNS"); do
  codes="$WORK/codes.$run"; : >"$codes"; rm -f "$WORK/stop"
  load_loop "$codes" & LOAD_PID=$!
  sleep 0.5
  start=$(date +%s%N)
  set +e
  json=$("${XD[@]}" --json promote "$target" 2>/dev/null)
  rc=$?
  set -e
  wall=$(( ($(date +%s%N) - start) / 1000000 ))
  sleep 0.5
  touch "$WORK/stop"; wait "$LOAD_PID" || true; LOAD_PID=""
  total=$(wc -l <"$codes"); failed=$(grep -vc '^200$' "$codes" || true)
  downtime=$(printf '%s' "$json" | python3 -c 'import json,sys
try: print(json.load(sys.stdin)["probe"]["downtime_ms"])
except Exception: print("?")')
  printf '%-4s %-7s %-5s %-14s %-12s %-12s\n' "$run" "$target" "$rc" "$failed/$total" "$downtime" "$wall"
  results+=("$failed $total $downtime $wall")
  [ "$rc" -eq 0 ] && { [ "$target" = green ] && target=blue || target=green; }
done

printf '%s\n' "${results[@]}" | python3 -c '
import sys
rows = [l.split() for l in sys.stdin if l.strip()]
failed = sum(int(r[0]) for r in rows); total = sum(int(r[1]) for r in rows)
down = [int(r[2]) for r in rows if r[2].isdigit()]; wall = [int(r[3]) for r in rows]
fmt = lambda xs: "min %d / avg %d / max %d" % (min(xs), sum(xs) / len(xs), max(xs)) if xs else "n/a"
print("summary: failed requests %d of %d; downtime ms %s; promote ms %s" % (failed, total, fmt(down), fmt(wall)))'
