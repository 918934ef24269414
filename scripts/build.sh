#!/usr/bin/env bash
# Configures and builds into BUILD_DIR (default: build/).
#   scripts/build.sh             everything: xdeploy, falcon-xecutor, the fake
#                                terraform, the tests (release-ish, build/)
#   scripts/build.sh --sanitize  the same with ASan+UBSan in build-asan/
#   scripts/build.sh --product   only what the local story runs: xdeploy,
#                                xdeploy-router, falcon-xecutor (build/). A tree
#                                configured here the first time leaves the
#                                tests out (Catch2, Go, Python not needed) and
#                                is a unity build: each library compiles as a
#                                few large sources, which parse the heavy
#                                headers once each instead of once a file
#                                (-38% compile CPU, bench/quickstart_bench.sh).
#                                The other modes turn unity off again: it
#                                makes an edit recompile a whole batch.
# XD_NO_CCACHE=1 compiles without ccache (scripts/ccache-env.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
mode="${1:-all}"
extra=()
targets=()
case "$mode" in
  all) extra+=(-DXD_BUILD_TESTS=ON -DCMAKE_UNITY_BUILD=OFF) ;;
  --sanitize)
    build_dir="${BUILD_DIR:-$root/build-asan}"
    extra+=(-DXD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DXD_BUILD_TESTS=ON -DCMAKE_UNITY_BUILD=OFF)
    ;;
  --product)
    # An existing tree keeps its settings: the quickstart never takes a
    # developer's tests away from build/, nor makes their edits slower.
    [ -f "$build_dir/CMakeCache.txt" ] || extra+=(-DXD_BUILD_TESTS=OFF -DCMAKE_UNITY_BUILD=ON)
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
if [ "$mode" = --product ] && grep -q '^CMAKE_UNITY_BUILD:BOOL=ON' "$build_dir/CMakeCache.txt"; then
  # Two sources of one library defining the same internal name break a unity
  # build only: say so, and build file by file rather than stop a newcomer.
  cmake --build "$build_dir" -j "$jobs" "${targets[@]}" && exit 0
  echo "build.sh: the unity build failed (two sources of one library define the same internal name?); building file by file" >&2
  cmake -S "$root" -B "$build_dir" -DCMAKE_UNITY_BUILD=OFF >/dev/null
fi
cmake --build "$build_dir" -j "$jobs" "${targets[@]}"
