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

# A checkout without a build uses an installed xdeploy (on PATH) instead of
# building; installed (/usr/share/xdeploy/deploy.sh) it runs the xdeploy in
# ../../bin with xdeploy's own default working dir. A stand-in xdeploy shows
# which one ran and with what.
unset XDEPLOY_BUILD_DIR
fake='#!/bin/sh
echo "$0 $*"'
mkdir -p "$work/checkout" "$work/path" "$work/root/usr/share/xdeploy" "$work/root/usr/bin"
cp "$root/deploy.sh" "$work/checkout/deploy.sh"
touch "$work/checkout/CMakeLists.txt"
printf '%s\n' "$fake" >"$work/path/xdeploy"
chmod +x "$work/path/xdeploy"
out=$(PATH="$work/path:$PATH" "$work/checkout/deploy.sh" teal 2>&1) || fail "checkout + installed xdeploy exited $?: $out"
[ "$out" = "$work/path/xdeploy -C $work/checkout/terraform teal" ] || fail "checkout did not use the installed xdeploy: $out"

cp "$root/deploy.sh" "$work/root/usr/share/xdeploy/deploy.sh"
printf '%s\n' "$fake" >"$work/root/usr/bin/xdeploy"
chmod +x "$work/root/usr/bin/xdeploy"
out=$("$work/root/usr/share/xdeploy/deploy.sh" promote green 2>&1) || fail "installed deploy.sh exited $?: $out"
[ "$out" = "$work/root/usr/share/xdeploy/../../bin/xdeploy promote green" ] || fail "installed deploy.sh ran: $out"
echo "deploy.sh: 3 passed, 0 failed"
