#!/usr/bin/env bash
# service_package_test: builds the .deb with cpack into a temp dir and checks
# what the Terraform slot module relies on: the binary in /usr/bin, the unit
# (loopback bind), the env file left to the deploy (no conffile: a first boot
# must never meet a conffile prompt), the nginx front, the package name.
set -euo pipefail
build_dir="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack failed"; }
deb="$(ls "$work"/falcon-xecutor_*.deb 2>/dev/null | head -1)"
[ -n "$deb" ] || { ls -la "$work"; fail "no falcon-xecutor_*.deb produced"; }
echo "package: $(basename "$deb")"

contents="$(dpkg-deb -c "$deb")"
info="$(dpkg-deb -I "$deb")"
echo "$contents"
grep -Eq '^-rwxr-xr-x .* \./usr/bin/falcon-xecutor$' <<<"$contents" || fail "binary not in /usr/bin (or not executable)"
grep -Eq ' \./lib/systemd/system/falcon-xecutor\.service$' <<<"$contents" || fail "systemd unit missing"
if grep -Eq ' \./etc/falcon-xecutor/env$' <<<"$contents"; then fail "the package owns /etc/falcon-xecutor/env (the deploy writes it)"; fi
grep -Eq ' \./usr/share/falcon-xecutor/env\.example$' <<<"$contents" || fail "env example missing"
grep -Eq ' \./usr/share/falcon-xecutor/nginx-front\.conf\.in$' <<<"$contents" || fail "nginx front template missing"
grep -Eq '^-rwxr-xr-x .* \./usr/share/falcon-xecutor/render-nginx-front\.sh$' <<<"$contents" || fail "nginx front renderer missing"
if grep -Eq 'xdeploy|mock_falconx|service_.*test' <<<"$contents"; then fail "package carries files of other components"; fi
grep -Eq '^ Package: falcon-xecutor$' <<<"$info" || fail "package name is not falcon-xecutor"
grep -Eq '^ Depends: .*libcurl' <<<"$info" || fail "shared library dependencies missing"
if grep -Eq 'conffiles' <<<"$info"; then fail "conffiles present: a first boot would stop at the conffile prompt"; fi
grep -Eq 'postinst' <<<"$info" || fail "no postinst"

dpkg-deb -x "$deb" "$work/root"
dpkg-deb -e "$deb" "$work/control"
unit="$work/root/lib/systemd/system/falcon-xecutor.service"
grep -qx 'EnvironmentFile=/etc/falcon-xecutor/env' "$unit" || fail "unit lacks EnvironmentFile"
grep -qx 'ExecStart=/usr/bin/falcon-xecutor --port ${XECUTOR_PORT} --slot ${XECUTOR_SLOT} --bind ${XECUTOR_BIND}' "$unit" ||
  fail "unit ExecStart differs"
grep -qx 'Environment=XECUTOR_BIND=127.0.0.1' "$unit" || fail "unit does not default to loopback"
grep -qx 'Restart=on-failure' "$unit" || fail "unit lacks Restart=on-failure"
grep -Eqx 'DynamicUser=yes|User=falcon-xecutor' "$unit" || fail "unit runs as root"
grep -qx 'NoNewPrivileges=yes' "$unit" || fail "unit lacks hardening"
grep -qx 'Environment=XECUTOR_TRUSTED_PROXIES=127.0.0.1' "$unit" || fail "unit does not trust the loopback front"
grep -q 'install -m 0600 -o root -g root /usr/share/falcon-xecutor/env.example /etc/falcon-xecutor/env' \
  "$work/control/postinst" || fail "postinst does not create a 0600 env where none exists"
"$work/root/usr/bin/falcon-xecutor" --version | grep -q . || fail "packaged binary does not run"
echo "OK"
