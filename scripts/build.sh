#!/usr/bin/env bash
# Configures and builds everything (xdeploy, falcon-xecutor, the fake
# terraform, the tests) into BUILD_DIR (default: build/).
#   scripts/build.sh             release-ish build in build/
#   scripts/build.sh --sanitize  ASan+UBSan build in build-asan/
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
extra=()
if [ "${1:-}" = "--sanitize" ]; then
  build_dir="${BUILD_DIR:-$root/build-asan}"
  extra+=(-DXD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
fi
# shellcheck source=scripts/ccache-env.sh
. "$root/scripts/ccache-env.sh"
jobs="$(nproc 2>/dev/null || echo 2)"
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${ccache_args[@]}" "${extra[@]}" >/dev/null
cmake --build "$build_dir" -j "$jobs"
