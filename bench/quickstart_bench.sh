#!/usr/bin/env bash
# Times the README's first commands as a newcomer meets them: a fresh clone of
# this repository's HEAD (committed work only) in a temp dir, packages already
# installed, no compiler cache. Prints, for each run, the wall time, the CPU
# time (user+sys of every process it waited for: the compiler's, mostly) and
# the load average before and after, since a busy machine stretches the wall
# time far more than the CPU time.
#
#   bench/quickstart_bench.sh [--peer] [--tiers] [--full]
#     (always)  scripts/quickstart.sh: install check, product build, the story
#     --peer    the peer, in the same run: the build the quickstart did before
#               it built only the product (every target, tests included, from
#               scratch, no cache), i.e. `scripts/build.sh` in a second clone
#     --tiers   then, in the same clone: a full build (not timed as a tier),
#               `scripts/test.sh --quick` (goal: < 2 min after a build)
#     --full    with --tiers: also `scripts/test.sh`, every test (many minutes)
#   XDEPLOY_PORTS=BASE  the story's ports (default: a free-looking random base)
#   KEEP=1      keep the temp clones (their path is printed)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
peer=0 tiers=0 full=0
for arg in "$@"; do
  case "$arg" in
    --peer) peer=1 ;;
    --tiers) tiers=1 ;;
    --full) full=1 ;;
    *)
      echo "usage: bench/quickstart_bench.sh [--peer] [--tiers] [--full]" >&2
      exit 2
      ;;
  esac
done

work="$(mktemp -d "${TMPDIR:-/tmp}/xd-quickstart-bench.XXXXXX")"
cleanup() { if [ "${KEEP:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
# No compiler cache anywhere: ccache off for the build scripts and for any
# launcher a developer configured by hand.
export XD_NO_CCACHE=1 CCACHE_DISABLE=1
export XDEPLOY_PORTS="${XDEPLOY_PORTS:-$((20000 + RANDOM % 20000))}"

load() { cut -d' ' -f1-3 /proc/loadavg; }
fresh_clone() {
  git clone --quiet --no-hardlinks "$root" "$1"
  git -C "$1" checkout --quiet "$(git -C "$root" rev-parse HEAD)"
}
# timed LABEL DIR CMD...: runs CMD in DIR, its output in $work/<label>.log;
# prints one line of figures, and the log's tail if CMD failed.
timed() {
  local label=$1 dir=$2 before rc=0 log
  shift 2
  log="$work/$(tr -c 'a-zA-Z0-9\n' _ <<<"$label").log"
  before="$(load)"
  local TIMEFORMAT='%R %U %S'
  { time (cd "$dir" && "$@" >"$log" 2>&1); } 2>"$log.time" || rc=$?
  awk -v l="$label" -v b="$before" -v a="$(load)" -v rc="$rc" '{
    printf "%-24s wall %7.1f s   cpu (user+sys) %7.1f s   load %s -> %s%s\n", l, $1, $2 + $3, b, a,
      (rc == 0 ? "" : "   FAILED (exit " rc ")") }' "$log.time"
  if [ "$rc" != 0 ]; then tail -n 30 "$log"; fi
  last_log=$log
  return "$rc"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "commit:  $(git -C "$root" rev-parse --short HEAD) (fresh clones in $work; no compiler cache)"
fresh_clone "$work/clone"
timed quickstart "$work/clone" scripts/quickstart.sh
grep -E '^==> built in' "$last_log" | sed 's/^==> /  of which: /'
if [ "$peer" = 1 ]; then
  fresh_clone "$work/peer"
  timed "peer: build everything" "$work/peer" scripts/build.sh
fi
if [ "$tiers" = 1 ]; then
  timed "build for the tests" "$work/clone" scripts/build.sh
  timed "test.sh --quick" "$work/clone" scripts/test.sh --quick
  grep -E 'tests passed|Total Test time' "$last_log" | sed 's/^/  /'
  if [ "$full" = 1 ]; then
    timed "test.sh" "$work/clone" scripts/test.sh
    grep -E 'tests passed|Total Test time' "$last_log" | sed 's/^/  /'
  fi
fi
