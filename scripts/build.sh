#!/usr/bin/env bash
# Configures and builds into BUILD_DIR (default: build/).
#   scripts/build.sh             everything: xdeploy, falcon-xecutor, the fake
#                                terraform, the tests (release-ish, build/)
#   scripts/build.sh --sanitize  the same with ASan+UBSan in build-asan/
#   scripts/build.sh --product   only what the local story runs: xdeploy,
#                                xdeploy-router, falcon-xecutor (build/). A tree
#                                configured here the first time leaves the
#                                tests out (Catch2, Go, Python not needed).
# XD_NO_CCACHE=1 compiles without ccache (scripts/ccache-env.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
mode="${1:-all}"
extra=()
targets=()
case "$mode" in
  all) extra+=(-DXD_BUILD_TESTS=ON) ;;
  --sanitize)
    build_dir="${BUILD_DIR:-$root/build-asan}"
    extra+=(-DXD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DXD_BUILD_TESTS=ON)
    ;;
  --product)
    # An existing tree keeps its tests setting: the quickstart never takes a
    # developer's tests away from build/.
    [ -f "$build_dir/CMakeCache.txt" ] || extra+=(-DXD_BUILD_TESTS=OFF)
    targets=(--target xdeploy xdeploy_router falcon_xecutor)
    ;;
  *)
    echo "usage: scripts/build.sh [--sanitize | --product]" >&2
    exit 2
    ;;
esac
# shellcheck source=scripts/ccache-env.sh
. "$root/scripts/ccache-env.sh"
jobs="$(nproc 2>/dev/null || echo 2)"
configure=(cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${ccache_args[@]}" "${extra[@]}")
if [ "$mode" = --product ]; then
  # A newcomer sees no warning about what only packaging or the tests use
  # (help2man, go): the configure output is shown only if it fails.
  log="$(mktemp)"
  trap 'rm -f "$log"' EXIT
  "${configure[@]}" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
else
  "${configure[@]}" >/dev/null
fi
cmake --build "$build_dir" -j "$jobs" "${targets[@]}"
