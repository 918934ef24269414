#!/usr/bin/env bash
# Installs the Debian packages the project builds and tests with. Idempotent:
# packages already present are skipped, so re-running it is cheap.
set -euo pipefail
PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev catch2
  libcurl4-openssl-dev libssl-dev libcpp-httplib-dev libtomlplusplus-dev prometheus-cpp-dev
  libzip-dev
  golang-go golang-github-hashicorp-hcl-v2-dev
  python3 curl procps psmisc iproute2 ccache
  debootstrap nginx openssl wrk
  clang libclang-rt-14-dev
  help2man man-db bash-completion zsh fish
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
