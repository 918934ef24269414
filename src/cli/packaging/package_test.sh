#!/usr/bin/env bash
# xdeploy_package_test: builds the .debs with cpack into a temp dir, installs
# xdeploy_*.deb into a scratch root with `dpkg --root` (never into this
# machine) and proves what `apt install ./xdeploy_*.deb` promises: xdeploy on
# PATH and working, the module under /usr/share/xdeploy/terraform, the
# completions where bash-completion / zsh / fish look, `man xdeploy`,
# deploy.sh and `xdeploy init` from the installed layout, and the local
# backend's quickstart run entirely from the installed files.
set -euo pipefail
build_dir="$1"
work="$(mktemp -d)"
root="$work/root"
xdeploy_cmd=()
cleanup() {
  if [ "${#xdeploy_cmd[@]}" -gt 0 ]; then "${xdeploy_cmd[@]}" down >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack failed"; }
deb="$(ls "$work"/xdeploy_*.deb 2>/dev/null | head -1)"
service_deb="$(ls "$work"/falcon-xecutor_*.deb 2>/dev/null | head -1)"
[ -n "$deb" ] || { ls -la "$work"; fail "no xdeploy_*.deb produced"; }
[ -n "$service_deb" ] || fail "no falcon-xecutor_*.deb next to it (both packages come from one cpack run)"
echo "packages: $(basename "$deb") $(basename "$service_deb")"

# --- the control fields ---
info="$(dpkg-deb -f "$deb")"
echo "$info"
grep -qx 'Package: xdeploy' <<<"$info" || fail "package name is not xdeploy"
depends="$(dpkg-deb -f "$deb" Depends)"
grep -q 'libc6' <<<"$depends" || fail "Depends lacks the shared libraries (shlibdeps): $depends"
grep -q 'libcurl' <<<"$depends" || fail "Depends lacks libcurl: $depends"
# (Output captured first: `cmd | grep -q` under pipefail fails when grep exits early.)
if grep -Eqi 'terraform|tofu|falcon-xecutor' <<<"$(dpkg-deb -f "$deb" Depends Recommends Suggests)"; then
  fail "declares a package Debian does not have (terraform is installed separately)"
fi
# Every declared package exists in Debian (checked against the local apt cache, if any).
if apt-cache show libc6 >/dev/null 2>&1; then
  for field in Depends Recommends Suggests; do
    for name in $(dpkg-deb -f "$deb" "$field" | tr ',|' '\n\n' | sed -E 's/\(.*\)//; s/:any//; s/ //g' | grep .); do
      apt-cache show "$name" >/dev/null 2>&1 || fail "$field: $name is not a Debian package"
    done
  done
fi
grep -q 'install it separately' <<<"$(dpkg-deb -f "$deb" Description)" || fail "the description does not say terraform is installed separately"

contents="$(dpkg-deb -c "$deb")"
for path in ./usr/bin/xdeploy ./usr/bin/xdeploy-router ./usr/share/xdeploy/deploy.sh; do
  grep -Eq "^-rwxr-xr-x .* ${path//./\\.}\$" <<<"$contents" || fail "$path missing or not executable"
done
if grep -Eq 'falcon-xecutor\.service|/etc/|terraform/tests|CMakeLists|\.tfstate|\.terraform/' <<<"$contents"; then
  fail "the package carries files that are not xdeploy's"
fi

# --- installed into a scratch root by dpkg itself ---
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
# --force-depends: the scratch root's database has no libc6; the libraries are this machine's.
dpkg --root="$root" --log=/dev/null --force-depends --force-not-root --force-bad-path -i "$deb" >"$work/dpkg.log" 2>&1 ||
  { cat "$work/dpkg.log"; fail "dpkg --root -i failed"; }
grep -qx 'Status: install ok installed' <<<"$(dpkg --root="$root" -s xdeploy)" || fail "dpkg does not list xdeploy as installed"
bin="$root/usr/bin"

version="$("$bin/xdeploy" --version)" || fail "installed xdeploy --version exited $?"
[ "$version" = "$("$build_dir/src/cli/xdeploy" --version)" ] || fail "installed --version: $version"
help="$("$bin/xdeploy" --backend local --help)" || fail "installed xdeploy --backend local --help exited $?"
grep -q 'promote' <<<"$help" || fail "help lacks the verbs"
[ -f "$root/usr/share/xdeploy/terraform/main.tf" ] || fail "module not under /usr/share/xdeploy/terraform"
[ -f "$root/usr/share/xdeploy/terraform/modules/slot/main.tf" ] || fail "submodules missing"
[ ! -e "$root/usr/share/xdeploy/terraform/tests" ] || fail "the module's CI tests were installed"
for example in github-actions.yml deploy-job.sh README.md; do
  [ -f "$root/usr/share/doc/xdeploy/examples/ci/$example" ] || fail "CI example $example not in /usr/share/doc/xdeploy/examples/ci"
done

# bash: bash-completion's own loader finds the script (XDG_DATA_DIRS is one of the dirs it searches).
bash_dir="$(pkg-config --variable=completionsdir bash-completion 2>/dev/null || echo /usr/share/bash-completion/completions)"
[ -f "$root$bash_dir/xdeploy" ] || fail "bash completion not in $bash_dir"
if [ -f /usr/share/bash-completion/bash_completion ]; then
  loaded="$(XDG_DATA_DIRS="$root/usr/share" HOME="$work" bash --norc --noprofile -i -c \
    'source /usr/share/bash-completion/bash_completion; __load_completion xdeploy; complete -p xdeploy' 2>/dev/null)"
  [ "$loaded" = "complete -F _xdeploy xdeploy" ] || fail "bash-completion did not load xdeploy's completion: $loaded"
  offered="$(bash --norc --noprofile -c 'source "$1"; COMP_WORDS=(xdeploy pro); COMP_CWORD=1; _xdeploy; echo "${COMPREPLY[*]}"' _ "$root$bash_dir/xdeploy")"
  [ "$offered" = "promote" ] || fail "installed bash completion offers [$offered] for xdeploy pro<TAB>"
else
  echo "SKIP bash-completion loader check: bash-completion not installed"
fi
[ -f "$root/usr/share/zsh/vendor-completions/_xdeploy" ] || fail "zsh completion missing"
if command -v zsh >/dev/null; then
  grep -qx /usr/share/zsh/vendor-completions <<<"$(zsh -f -c 'print -l $fpath')" || fail "zsh does not look in vendor-completions"
  bound="$(HOME="$work" zsh -f -c "fpath=('$root/usr/share/zsh/vendor-completions' \$fpath); autoload -Uz compinit; compinit -u -d '$work/zcd'; print -r -- \${_comps[xdeploy]}")"
  [ "$bound" = "_xdeploy" ] || fail "zsh compinit did not pick up the installed _xdeploy: [$bound]"
fi
[ -f "$root/usr/share/fish/vendor_completions.d/xdeploy.fish" ] || fail "fish completion missing"
if command -v fish >/dev/null; then
  # fish autoloads completions from $XDG_DATA_DIRS/fish/vendor_completions.d: point it at the scratch root.
  offered="$(PATH="$bin:$PATH" HOME="$work" XDG_CONFIG_HOME="$work/cfg" XDG_DATA_HOME="$work/data" \
    XDG_DATA_DIRS="$root/usr/share:/usr/share" fish -c "complete -C 'xdeploy pro'" | cut -f1)"
  [ "$offered" = "promote" ] || fail "fish did not autoload the installed completion: [$offered]"
fi

# man: found by man's own search, rendered, with the hand-written sections.
page="$root/usr/share/man/man1/xdeploy.1.gz"
[ -f "$page" ] || fail "man page missing"
[ "$(MANPATH="$root/usr/share/man" man -w xdeploy)" = "$page" ] || fail "man -w xdeploy does not find it"
rendered="$(MANWIDTH=100 man -l "$page" 2>"$work/man.err" | col -b)" || { cat "$work/man.err"; fail "man -l failed"; }
for section in NAME SYNOPSIS DESCRIPTION OPTIONS 'EXIT STATUS' HOOKS FILES ENVIRONMENT EXAMPLES; do
  grep -qx "$section" <<<"$rendered" || fail "man page lacks the $section section"
done
grep -q -- '--hook-timeout' <<<"$rendered" || fail "man page lacks the options from --help"
grep -q 'locked: another xdeploy' <<<"$rendered" || fail "man page lacks the exit codes"
if grep -q 'warning' "$work/man.err"; then cat "$work/man.err"; fail "man warns while rendering"; fi

# deploy.sh from the installed layout runs the installed xdeploy.
[ "$(PATH=/usr/bin:/bin "$root/usr/share/xdeploy/deploy.sh" --version)" = "$version" ] || fail "installed deploy.sh does not run the installed xdeploy"

# xdeploy init copies the installed module.
mkdir -p "$work/project"
(cd "$work/project" && "$bin/xdeploy" init) >"$work/init.log" 2>&1 || { cat "$work/init.log"; fail "xdeploy init failed"; }
cmp -s "$work/project/terraform/main.tf" "$root/usr/share/xdeploy/terraform/main.tf" || fail "init did not copy the installed module"
[ -f "$work/project/terraform/terraform.tfvars.example" ] || fail "init wrote no terraform.tfvars.example"

# The quickstart on the local backend, from the installed files only: the
# service package extracted into the same root (its postinst needs a real
# system), slots are its falcon-xecutor, the router is the installed one.
# Neither is on PATH, so xdeploy can only have found them next to itself.
dpkg-deb -x "$service_deb" "$root"
read -r public blue green < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
xdeploy_cmd=("$bin/xdeploy" --backend local -C "$work/project/local" --public-port "$public"
             --slot-ports "$blue,$green" --yes --health-interval 200ms --no-hooks)
for verb in blue teal 'promote green' rollback cleanup; do
  # shellcheck disable=SC2086
  "${xdeploy_cmd[@]}" $verb >>"$work/quickstart.log" 2>&1 || { cat "$work/quickstart.log"; fail "installed quickstart: xdeploy $verb failed"; }
done
status="$("${xdeploy_cmd[@]}" status --json)"
python3 -c 'import json,sys; d=json.loads(sys.argv[1])["deployment"]; assert d["active"]=="blue" and not d.get("inactive"), d' "$status" ||
  fail "after the quickstart: $status"
"${xdeploy_cmd[@]}" down >/dev/null 2>&1 || fail "xdeploy down failed"
xdeploy_cmd=()

dpkg --root="$root" --log=/dev/null --force-not-root --force-bad-path -r xdeploy >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -r failed"; }
[ ! -e "$bin/xdeploy" ] || fail "dpkg -r left /usr/bin/xdeploy"
echo "OK"
