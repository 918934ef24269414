#!/usr/bin/env bash
# The project's test command: installs what is missing, builds, runs every
# test with CTest. `scripts/test.sh --sanitize` does the same under
# AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$@"
build_dir="$root/build"
filter=()
if [ "${1:-}" = "--sanitize" ]; then
  build_dir="$root/build-asan"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  # The slow tiers (real Terraform against the emulator, the debootstrap boot
  # test, the packages) exercise Terraform, dpkg and nginx more than our
  # memory safety: they run once, in the plain build, not again here. The
  # delivery scenarios (issue 16) wait out real 5 s resends: once too.
  filter=(-LE '^(real_terraform|boot|package|aws_emulator|delivery)$')
fi
ctest --test-dir "$build_dir" --output-on-failure --timeout 900 -j 2 "${filter[@]}"
