#!/usr/bin/env bash
# The project's main job on a fresh machine: installs what is missing (the
# packages that build and run the product, not the tests'), builds xdeploy,
# xdeploy-router and falcon-xecutor (not the tests), then plays the seed's
# blue/green story on the LOCAL backend (no AWS: slots are falcon-xecutor
# processes, the static IP is a local router), printing each step and the
# downtime measured on every promote.
#   XDEPLOY_PORTS=BASE  public port BASE, slots BASE+1 and BASE+2 (default 8080)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh" build story
echo "==> building xdeploy, xdeploy-router, falcon-xecutor (first time: a few minutes)"
started=$SECONDS
"$root/scripts/build.sh" --product >/dev/null
echo "==> built in $((SECONDS - started)) s"
base="${XDEPLOY_PORTS:-8080}"
work="$(mktemp -d "${TMPDIR:-/tmp}/xdeploy-quickstart.XXXXXX")"
xdeploy=("$root/build/src/cli/xdeploy" --backend local -C "$work" --public-port "$base"
         --slot-ports "$((base + 1)),$((base + 2))" --yes)
cleanup() { "${xdeploy[@]}" down >/dev/null 2>&1 || true; }
trap cleanup EXIT
step() {
  printf '\n\033[1m$ xdeploy %s\033[0m\n' "$*"
  "${xdeploy[@]}" "$@"
}
echo "==> working dir $work; public endpoint http://127.0.0.1:$base/health"
step blue             # nothing yet: blue becomes prod
step teal             # an inactive green next to it
step '~green'         # replace green with the current build
step promote green    # gate green, switch the router, measure downtime
step status --check
step rollback         # "OMG. Green is broken!?"
step promote green
step cleanup          # stop paying for blue
step history
printf '\n==> done. The router and slots are stopped on exit (xdeploy --backend local down).\n'
