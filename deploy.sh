#!/usr/bin/env bash
# The seed's entry point, kept so `./deploy.sh blue`, `./deploy.sh teal` and
# `./deploy.sh ~green` still work: builds xdeploy on first use, then forwards
# every argument to it. Without -C/--chdir it points at this repo's terraform/.
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
build_dir="${XDEPLOY_BUILD_DIR:-$root/build}"
xdeploy="$build_dir/src/cli/xdeploy"
if [ ! -x "$xdeploy" ]; then
  echo "deploy.sh: building xdeploy (first use)..." >&2
  if ! command -v cmake >/dev/null; then
    echo "deploy.sh: cmake is missing; run $root/scripts/install-deps.sh first" >&2
    exit 1
  fi
  BUILD_DIR="$build_dir" "$root/scripts/build.sh" >&2
fi
for arg in "$@"; do
  case "$arg" in
    -C|--chdir|--chdir=*|-C*) exec "$xdeploy" "$@" ;;
    --) break ;;
  esac
done
exec "$xdeploy" -C "$root/terraform" "$@"
