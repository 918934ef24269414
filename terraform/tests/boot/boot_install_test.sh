#!/usr/bin/env bash
# boot_install_test BUILD_DIR: runs the slot's real first-boot script
# (terraform/modules/slot/boot.sh.tftpl, rendered like templatefile() does) on
# a real Debian bookworm root filesystem with the real .deb, up to and
# including the install step (`--install-only`: systemd does not run in a
# chroot). Checks: a build with the wrong checksum is refused before anything
# is installed; the install exits 0 with stdin closed (no dpkg prompt); the
# env file is intact, root:root 0600; `nginx -t` passes inside the root; the
# unit files are present; with the empty TLS objects (no pair given) a
# self-signed pair is made, and a given pair (tls_*_pem_file, fetched from the
# bucket) is installed as is, key 0600, and nginx -t accepts it.
#
# The root filesystem comes from debootstrap (--variant=minbase plus the
# packages the install needs, so the install itself downloads nothing but the
# package lists) and is cached OUTSIDE the clone as a tarball keyed by that
# package list: $XECUTOR_TEST_CACHE (default /var/cache/falcon-xecutor-test).
# Each run extracts it into its own temp dir. Exits 77 (ctest SKIP) when not
# root or without debootstrap, saying why.
set -euo pipefail
build_dir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap and chroot)"
command -v debootstrap >/dev/null || skip "debootstrap missing (scripts/install-deps.sh installs it)"

t0=$(date +%s)
work=$(mktemp -d /tmp/xecutor-boot-test.XXXXXX)
cleanup() {
  # --one-file-system: never follow a mount out of the temp root.
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack failed"; }
deb=$(ls "$work"/pkg/falcon-xecutor_*.deb | head -1)
sha=$(sha256sum "$deb" | cut -d' ' -f1)
echo "package: $(basename "$deb") sha256=$sha"

# What the install needs, so apt downloads nothing: nginx, openssl and the
# .deb's own dependencies (names only, current versions). Some are virtual
# (libspdlog1.10-fmt9), which debootstrap cannot resolve: apt installs those.
deps=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/[(|].*//; s/ //g' | grep -v '^$' | sort -u)
packages=nginx,openssl,ca-certificates,systemd
suite=bookworm
mirror=${XECUTOR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
key=$(printf '%s %s minbase %s %s v1' "$suite" "$mirror" "$packages" "$deps" | sha256sum | cut -c1-16)
cache_dir=${XECUTOR_TEST_CACHE:-/var/cache/falcon-xecutor-test}
tarball="$cache_dir/$suite-rootfs-$key.tar"
echo "rootfs packages: $packages + $(echo $deps)"

if [ -f "$tarball" ]; then
  echo "rootfs: cached $tarball"
else
  echo "rootfs: debootstrap $suite (minbase) into $work/bootstrap, then cached as $tarball"
  debootstrap --variant=minbase --include="$packages" "$suite" "$work/bootstrap" "$mirror" \
    >"$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log"; fail "debootstrap failed"; }
  cp /etc/resolv.conf "$work/bootstrap/etc/resolv.conf"
  # shellcheck disable=SC2086 # one word per package
  chroot "$work/bootstrap" /bin/sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "$@" && apt-get clean' sh $deps \
    </dev/null >>"$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log"; fail "installing the deps failed"; }
  mkdir -p "$cache_dir"
  tar -C "$work/bootstrap" -cf "$tarball.part.$$" .
  mv "$tarball.part.$$" "$tarball"
  # Roots for older package lists are never used again: ~250 MB each.
  find "$cache_dir" -maxdepth 1 -name "$suite-rootfs-*.tar" ! -name "$(basename "$tarball")" -delete
  rm -rf --one-file-system "$work/bootstrap"
fi
t_rootfs=$(date +%s)

# new_root DIR [CERT KEY]: a fresh copy of the cached root with the build, the
# env and the TLS objects pre-placed where the boot script's fetch step looks
# first. Without CERT/KEY the TLS objects are empty, as S3 serves them when no
# pair was given.
new_root() {
  local root=$1 cert=${2:-/dev/null} key=${3:-/dev/null}
  mkdir -p "$root"
  tar -C "$root" -xf "$tarball"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  install -d -m 0700 "$root/var/lib/falcon-xecutor-boot"
  cp "$deb" "$root/var/lib/falcon-xecutor-boot/falcon-xecutor.deb"
  printf '%s\n' 'XECUTOR_PORT="8080"' 'XECUTOR_SLOT="blue"' 'XECUTOR_WEBHOOK_SECRET="s3cr\"et"' \
    'XECUTOR_ALLOWED_IPS="52.89.214.238,34.212.75.30"' \
    >"$root/var/lib/falcon-xecutor-boot/env"
  cat "$cert" >"$root/var/lib/falcon-xecutor-boot/tls-cert.pem"
  cat "$key" >"$root/var/lib/falcon-xecutor-boot/tls-key.pem"
}

# render SHA OUT: the boot script exactly as Terraform renders it.
render() {
  python3 "$here/render_template.py" "$repo/terraform/modules/slot/boot.sh.tftpl" \
    color=blue region=eu-west-1 bucket=test-bucket artifact_key=x/falcon-xecutor.deb \
    artifact_sha256="$1" env_key=x/env tls_cert_key=x/tls/cert.pem tls_key_key=x/tls/key.pem \
    https_port=443 access_key_id=AKIATEST secret_access_key=not-used >"$2"
}

echo "-- a build whose checksum differs is refused before anything is installed"
new_root "$work/bad"
render "$(printf '0%.0s' $(seq 64))" "$work/bad/root/boot.sh"
if chroot "$work/bad" /bin/bash /root/boot.sh --install-only </dev/null >"$work/bad.log" 2>&1; then
  cat "$work/bad.log"; fail "a build with the wrong checksum was installed"
fi
grep -q 'checksum mismatch' "$work/bad.log" || { cat "$work/bad.log"; fail "no checksum message"; }
[ ! -e "$work/bad/etc/falcon-xecutor/env" ] || fail "env written although the build was refused"
[ ! -e "$work/bad/usr/bin/falcon-xecutor" ] || fail "package installed although refused"
rm -rf --one-file-system "$work/bad"

echo "-- the real install, stdin closed (a dpkg prompt would fail it)"
new_root "$work/root"
expected_env=$(cat "$work/root/var/lib/falcon-xecutor-boot/env")
render "$sha" "$work/root/root/boot.sh"
t_install0=$(date +%s)
if ! chroot "$work/root" /bin/bash /root/boot.sh --install-only </dev/null >"$work/install.log" 2>&1; then
  tail -40 "$work/install.log"; fail "the boot script's install exited non-zero"
fi
t_install=$(date +%s)
tail -5 "$work/install.log"
! grep -qi 'conffile prompt' "$work/install.log" || fail "dpkg met a conffile prompt"

r="$work/root"
[ "$(cat "$r/etc/falcon-xecutor/env")" = "$expected_env" ] || fail "env file changed by the install"
[ "$(stat -c '%a %U %G' "$r/etc/falcon-xecutor/env")" = "600 root root" ] ||
  fail "env file is $(stat -c '%a %U %G' "$r/etc/falcon-xecutor/env"), want 600 root root"
chroot "$r" dpkg-query -W -f='${Status}\n' falcon-xecutor nginx | grep -vqx 'install ok installed' &&
  fail "a package is not fully installed"
[ -f "$r/lib/systemd/system/falcon-xecutor.service" ] || fail "falcon-xecutor.service missing"
[ -f "$r/lib/systemd/system/nginx.service" ] || fail "nginx.service missing"
grep -qx 'Environment=XECUTOR_BIND=127.0.0.1' "$r/lib/systemd/system/falcon-xecutor.service" ||
  fail "service does not default to loopback"
[ ! -e "$r/usr/sbin/policy-rc.d" ] || fail "policy-rc.d left behind: services would never start"
[ ! -e "$r/etc/nginx/sites-enabled/default" ] || fail "Debian's default site still enabled"
[ ! -e "$r/var/lib/falcon-xecutor-boot/env" ] || fail "the env copy was left in the work dir"
grep -q 'listen 443 ssl default_server;' "$r/etc/nginx/conf.d/falcon-xecutor.conf" || fail "no TLS on 443"
grep -q 'server 127.0.0.1:8080;' "$r/etc/nginx/conf.d/falcon-xecutor.conf" || fail "upstream is not the service port"
grep -q '^ *52.89.214.238 0; 34.212.75.30 0;' "$r/etc/nginx/conf.d/falcon-xecutor.conf" ||
  fail "the allow-listed senders are not exempt from nginx's per-client limits"
[ "$(stat -c '%a' "$r/etc/falcon-xecutor/tls/key.pem")" = 600 ] || fail "TLS key not 0600"
grep -q 'making a self-signed one' "$work/install.log" || fail "no pair given, yet no self-signed pair made"
chroot "$r" openssl x509 -noout -subject -in /etc/falcon-xecutor/tls/cert.pem | grep -q 'CN *= *falcon-xecutor' ||
  fail "the self-signed certificate is not the boot script's"
chroot "$r" nginx -t 2>&1 || fail "nginx -t failed inside the root"
rm -rf --one-file-system "$work/root"

echo "-- a given certificate pair (tls_*_pem_file, via the bucket) is installed as is"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=hooks.example.test \
  -keyout "$work/given.key" -out "$work/given.pem" 2>/dev/null
new_root "$work/root" "$work/given.pem" "$work/given.key"
render "$sha" "$work/root/root/boot.sh"
if ! chroot "$work/root" /bin/bash /root/boot.sh --install-only </dev/null >"$work/install2.log" 2>&1; then
  tail -40 "$work/install2.log"; fail "the install with a given pair exited non-zero"
fi
cmp -s "$work/given.pem" "$r/etc/falcon-xecutor/tls/cert.pem" || fail "the given certificate was not installed"
cmp -s "$work/given.key" "$r/etc/falcon-xecutor/tls/key.pem" || fail "the given key was not installed"
[ "$(stat -c '%a %U' "$r/etc/falcon-xecutor/tls/key.pem")" = "600 root" ] || fail "given TLS key not root 0600"
! grep -q 'self-signed' "$work/install2.log" || fail "made a self-signed pair although one was given"
[ ! -e "$r/var/lib/falcon-xecutor-boot/tls-key.pem" ] || fail "the key copy was left in the work dir"
chroot "$r" nginx -t 2>&1 || fail "nginx -t failed with the given pair"

t_end=$(date +%s)
echo "timing: rootfs $((t_rootfs - t0)) s (incl. cpack), install $((t_install - t_install0)) s, total $((t_end - t0)) s"
echo "OK"
