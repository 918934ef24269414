# Sourced by the build scripts: compile through ccache when it is installed
# (scripts/install-deps.sh installs it). The cache lives outside the clone
# (~/.cache/ccache unless CCACHE_DIR says otherwise) and paths are made
# relative to the clone, so a fresh clone in another folder reuses it.
# Without ccache the build is the same, only slower.
# shellcheck shell=bash disable=SC2034 # ccache_args is read by the scripts that source this
ccache_args=()
if command -v ccache >/dev/null 2>&1 && [ "${XD_NO_CCACHE:-}" != 1 ]; then
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
  export CCACHE_NOHASHDIR=1
  export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
  ccache_args=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
