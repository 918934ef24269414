#!/usr/bin/env bash
# /health through the nginx front (the slots' own config, nginx-front.conf.in)
# while 500 slowloris connections hold on to it. Loopback only.
#   1. baseline: GET https://127.0.0.1:<front>/health, ~50 req/s (wrk, 1 connection paced by delay())
#      then the same with a NEW TLS connection per request, as xdeploy's gate and prober do (fresh_probe.py)
#   2. both again while bench/slowloris.py keeps 500 TLS connections sending a header line every 2 s
# Prints wrk's latency distribution for both. The issue's target: p99 within 100 ms during the attack.
# Usage: bench/slowloris_bench.sh [BUILD_DIR] [SECONDS] [direct|local]
#   direct (default): nginx + the service started here;
#   local: `xdeploy --backend local --tls` (blue), measured and attacked through its public port
#          (xdeploy-router -> the slot's nginx -> the service), the path the e2e test checks.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
secs="${2:-20}"
mode="${3:-direct}"
svc="$build/src/service/falcon-xecutor"
pkg="$root/src/service/packaging"
[ -x "$svc" ] || { echo "build falcon_xecutor in $build first" >&2; exit 2; }
export PATH="$PATH:/usr/sbin"
for tool in wrk nginx openssl; do command -v "$tool" >/dev/null || { echo "needs $tool (scripts/install-deps.sh)" >&2; exit 2; }; done

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_up() { for _ in $(seq 200); do curl -skf -o /dev/null "$1" && return 0; sleep 0.05; done; echo "not up: $1" >&2; exit 1; }

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
if [ "$mode" = local ]; then
  xdeploy="$build/src/cli/xdeploy"
  [ -x "$xdeploy" ] || { echo "build xdeploy and xdeploy_router in $build first" >&2; exit 2; }
  public=$(free_port)
  xd=("$xdeploy" --backend local -C "$work" --slot-ports "$(free_port),$(free_port)" --public-port "$public"
      --yes --tls --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" --health-ca-file "$work/cert.pem")
  "${xd[@]}" -q blue
  cleanup_local() { "${xd[@]}" -q down >/dev/null 2>&1 || true; cleanup; }
  trap cleanup_local EXIT
  https_port=$public
else
  svc_port=$(free_port); http_port=$(free_port); https_port=$(free_port)
  XECUTOR_TRUSTED_PROXIES=127.0.0.1 "$svc" --port "$svc_port" --slot blue >"$work/service.log" 2>&1 &
  pids+=($!)
  mkdir -p "$work/nginx/tmp"
  "$pkg/render-nginx-front.sh" "$pkg/nginx-front.conf.in" "$http_port" "$https_port" "$svc_port" localhost \
    "$work/cert.pem" "$work/key.pem" >"$work/nginx/front.conf"
  sed "s|@PREFIX@|$work/nginx|g" "$pkg/nginx-standalone.conf.in" >"$work/nginx/nginx.conf"
  nginx -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
  pids+=($!)
fi
url="https://127.0.0.1:$https_port/health"
wait_up "$url"

printf 'function delay() return 20 end\n' >"$work/pace.lua"
run_wrk() {
  wrk -t1 -c1 -d"${secs}s" --latency -s "$work/pace.lua" "$url" >"$work/wrk.txt" 2>&1
  sed -n '/Latency Distribution/,/requests in/p' "$work/wrk.txt"
  grep -E 'Non-2xx|Socket errors' "$work/wrk.txt" || true
  awk -v name="$1" '/ 50%/{p50=$2} / 99%/{p99=$2} /Requests\/sec/{rps=$2} /Non-2xx/{bad=$NF}
    END{printf "SUMMARY %s: requests/s=%s p50=%s p99=%s non-2xx=%s\n", name, rps, p50, p99, bad+0}' "$work/wrk.txt"
}

echo "== mode: $mode ($url)"
echo "== machine: nproc=$(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg); nginx $(nginx -v 2>&1 | cut -d/ -f2)"
echo "-- baseline: /health through nginx (TLS), ~50 req/s, ${secs}s"
run_wrk baseline
python3 "$root/bench/fresh_probe.py" "$url" "$secs"
echo "-- during slowloris: 500 TLS connections, one header line every 2 s each"
python3 "$root/bench/slowloris.py" "$https_port" 500 $((2 * secs + 15)) --tls >"$work/slowloris.log" 2>&1 &
loris=$!
pids+=("$loris")
for _ in $(seq 600); do grep -q '^open ' "$work/slowloris.log" && break; sleep 0.1; done
grep '^open ' "$work/slowloris.log" || { cat "$work/slowloris.log"; echo "slowloris did not open its connections" >&2; exit 1; }
echo "   nginx connections now: $(ss -Htn state established "( sport = :$https_port )" | wc -l)"
run_wrk slowloris
python3 "$root/bench/fresh_probe.py" "$url" "$secs"
wait "$loris" || true
tail -1 "$work/slowloris.log"
