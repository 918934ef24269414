#!/usr/bin/env bash
# deploy.sh keeps the seed's entry point working: it forwards every argument to
# xdeploy (pointing it at this repo's terraform/ unless -C is given) and keeps
# xdeploy's exit codes.
set -uo pipefail
root="$1"
export XDEPLOY_BUILD_DIR="$2"
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$root/deploy.sh" --version) || fail "--version exited $?"
[[ "$out" == xdeploy* ]] || fail "--version printed: $out"

err=$("$root/deploy.sh" purple 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "deploy.sh purple exited $rc, expected 2"
[[ "$err" == *'unknown verb "purple"'* ]] || fail "no clear error: $err"

err=$("$root/deploy.sh" '~teal' 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "deploy.sh ~teal exited $rc, expected 2"

# The default working dir is the repo's terraform/; an explicit -C wins.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
err=$("$root/deploy.sh" -C "$work/missing" status 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "status in a missing dir exited $rc, expected 2"
[[ "$err" == *"$work/missing"* ]] || fail "-C was not forwarded: $err"
echo "deploy.sh: 1 passed, 0 failed"
