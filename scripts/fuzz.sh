#!/usr/bin/env bash
# Builds every libFuzzer harness (xd_fuzz targets) with clang into build-fuzz/
# and runs each for SECONDS (default 30) over a temporary copy of its seed
# corpus fuzz/corpus/NAME/, so the repository is never touched. Fails if any
# target crashes, printing the reproducer (it is also kept in
# build-fuzz/crashes/NAME/ for `build-fuzz/fuzz/NAME FILE`).
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-30}"
case "$seconds" in '' | *[!0-9]*)
  echo "usage: scripts/fuzz.sh [SECONDS]" >&2
  exit 2
  ;;
esac
build_dir="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build_dir" -DXD_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
cmake --build "$build_dir" -j "$(nproc 2>/dev/null || echo 2)" --target xd_fuzz_all

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
while IFS= read -r name; do
  [ -n "$name" ] || continue
  corpus="$work/$name/corpus"
  mkdir -p "$corpus" "$work/$name/artifacts"
  if [ -d "$root/fuzz/corpus/$name" ]; then cp -R "$root/fuzz/corpus/$name/." "$corpus/"; fi
  echo "=== fuzz $name for ${seconds}s ($(find "$corpus" -type f | wc -l) seeds)"
  if "$build_dir/fuzz/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$work/$name/artifacts/" -print_final_stats=1 "$corpus" \
    >"$work/$name/log" 2>&1; then
    grep -E '^(stat::number_of_executed_units|Done)' "$work/$name/log" || true
  else
    failed+=("$name")
    tail -n 60 "$work/$name/log"
    mkdir -p "$build_dir/crashes/$name"
    for f in "$work/$name/artifacts"/*; do
      [ -f "$f" ] || continue
      cp "$f" "$build_dir/crashes/$name/"
      echo "--- reproducer $build_dir/crashes/$name/$(basename "$f") (base64):"
      base64 "$f" | head -c 4000
      echo
    done
  fi
done <"$build_dir/fuzz_targets.txt"

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (reproduce: $build_dir/fuzz/NAME $build_dir/crashes/NAME/FILE)" >&2
  exit 1
fi
echo "fuzz: all $(grep -c . "$build_dir/fuzz_targets.txt") target(s) ran ${seconds}s without a crash"
