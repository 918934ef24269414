# The Debian packages the project uses, one list per purpose. Sourced by
# scripts/install-deps.sh, which installs the lists it is given:
#   scripts/quickstart.sh  build story
#   scripts/test.sh, .ci/run  all of them
# A package sits in one list only: the first purpose that needs it. The
# comment after it names what uses it (grep the repo before moving one).
# shellcheck shell=bash
# shellcheck disable=SC2034  # the lists are read by the scripts that source this

# Building and running the product (xdeploy, xdeploy-router, falcon-xecutor):
# the compiler, CMake and the libraries CMakeLists.txt finds.
XD_PACKAGES_build=(
  build-essential          # g++ and make
  cmake pkg-config         # the build; pkg-config finds cpp-httplib
  git                      # `git describe` gives the build id in /health and --version
  ca-certificates          # HTTPS to FalconX and to health URLs (libcurl verifies the peer)
  libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  libcurl4-openssl-dev     # health gate, prober, FalconX client, S3 claim store
  libssl-dev               # FalconX signatures, SHA-256, plan file checksums
  libcpp-httplib-dev       # falcon-xecutor's HTTP server
  prometheus-cpp-dev       # falcon-xecutor's /metrics
  libexpat1-dev            # xdeploy's S3 client (src/s3) reads S3's XML answers
  libzip-dev               # xdeploy opens Terraform's saved plan (a zip) to check what its refresh saw
)

# What scripts/quickstart.sh runs besides the binaries it built: bash and
# coreutils (essential on every Debian), nothing else. The local backend
# execs falcon-xecutor and xdeploy-router itself and reads /proc; it calls no
# other program unless asked for --tls (nginx, openssl: see `test`).
XD_PACKAGES_story=()

# The test suites (scripts/test.sh): Catch2, the Python harnesses, the
# Terraform checks, the TLS front tests, the shells the completions are
# checked in.
XD_PACKAGES_test=(
  catch2                   # every *_test binary (Catch2 v2)
  python3                  # aws emulator, real-Terraform harness, nginx/TLS tests, docs/ci examples, benches
  golang-go golang-github-hashicorp-hcl-v2-dev  # terraform/tests: HCL parse/format/contract checks
  nginx openssl            # local --tls and nginx front tests (also what `xdeploy --backend local --tls` runs)
  bash-completion zsh fish # the generated completions in real shells
  faketime                 # tests/tradingview: the TradingView client's clock crosses a minute boundary on demand
)

# Fuzzing (scripts/fuzz.sh): libFuzzer comes with clang's runtime.
XD_PACKAGES_fuzz=(clang libclang-rt-14-dev)

# The .deb packages and their tests (cpack, the package tests).
XD_PACKAGES_package=(
  help2man man-db          # the xdeploy(1) man page: generated, then rendered by the package test
)

# The slot's first-boot test on a real bookworm root (terraform/tests/boot).
XD_PACKAGES_boot=(debootstrap)

# Benchmarks (bench/) and a developer's tools: the compiler cache
# (scripts/ccache-env.sh uses it when present), load generators, and what
# xdeploy's messages tell you to run (`fuser -v` on a held lock).
XD_PACKAGES_develop=(
  ccache
  wrk curl iproute2        # bench/service_bench.sh, slowloris_bench.sh (ss), local_promote_bench.sh
  procps psmisc            # ps, fuser
)

# Every purpose, in the order scripts/install-deps.sh --all installs them.
XD_PACKAGE_PURPOSES=(build story test fuzz package boot develop)
