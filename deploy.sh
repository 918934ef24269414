#!/usr/bin/env bash
# The seed's entry point, kept so `./deploy.sh blue`, `./deploy.sh teal` and
# `./deploy.sh ~green` still work: forwards every argument to xdeploy.
# - In a source checkout: the checkout's build of xdeploy, else an installed
#   xdeploy (the xdeploy package), else it builds xdeploy first. Without
#   -C/--chdir it points at the checkout's terraform/.
# - Installed (/usr/share/xdeploy/deploy.sh, from the xdeploy package): the
#   installed xdeploy, with xdeploy's own default working dir (./terraform,
#   or xdeploy.toml), never the read-only module under /usr/share.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"

if [ ! -f "$here/CMakeLists.txt" ]; then
  xdeploy="$here/../../bin/xdeploy"
  [ -x "$xdeploy" ] || xdeploy="$(command -v xdeploy || true)"
  if [ -z "$xdeploy" ]; then
    echo "deploy.sh: xdeploy is not installed (apt install ./xdeploy_*.deb)" >&2
    exit 1
  fi
  exec "$xdeploy" "$@"
fi

root="$here"
build_dir="${XDEPLOY_BUILD_DIR:-$root/build}"
xdeploy="$build_dir/src/cli/xdeploy"
if [ ! -x "$xdeploy" ] && [ -z "${XDEPLOY_BUILD_DIR:-}" ] && command -v xdeploy >/dev/null; then
  xdeploy="$(command -v xdeploy)"  # installed, and no build here: use it
fi
if [ ! -x "$xdeploy" ]; then
  echo "deploy.sh: building xdeploy (first use)..." >&2
  if ! command -v cmake >/dev/null; then
    echo "deploy.sh: cmake is missing; run $root/scripts/install-deps.sh build first" >&2
    exit 1
  fi
  BUILD_DIR="$build_dir" "$root/scripts/build.sh" --product >&2
fi
for arg in "$@"; do
  case "$arg" in
    -C|--chdir|--chdir=*|-C*) exec "$xdeploy" "$@" ;;
    --) break ;;
  esac
done
exec "$xdeploy" -C "$root/terraform" "$@"
