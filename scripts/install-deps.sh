#!/usr/bin/env bash
# Installs the Debian packages of the purposes named (scripts/packages.sh
# holds one list per purpose; a new package goes there), or of every purpose
# when none is named. Idempotent: packages already present are skipped, so
# re-running it is cheap.
#   scripts/install-deps.sh               everything (tests, fuzzing, packaging, boot test, benches)
#   scripts/install-deps.sh build story   what scripts/quickstart.sh needs
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/packages.sh
. "$root/scripts/packages.sh"

purposes=("$@")
[ "${#purposes[@]}" -gt 0 ] || purposes=("${XD_PACKAGE_PURPOSES[@]}")
packages=()
for purpose in "${purposes[@]}"; do
  if ! declare -p "XD_PACKAGES_$purpose" >/dev/null 2>&1; then
    echo "install-deps: no package list '$purpose' (scripts/packages.sh has: ${XD_PACKAGE_PURPOSES[*]})" >&2
    exit 2
  fi
  list="XD_PACKAGES_${purpose}[@]"
  packages+=("${!list}")
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present (${purposes[*]})"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]} (${purposes[*]})"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
