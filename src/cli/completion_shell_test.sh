#!/usr/bin/env bash
# completion_shell_test: the scripts `xdeploy completion bash|zsh|fish` print,
# in the real shells. bash: the completion function offers what a user expects
# for a given command line (COMP_WORDS/COMP_CWORD, as bash sets them on TAB).
# zsh and fish: the scripts parse (zsh -n, fish -n), and fish completes
# (`complete -C`). A shell that is not installed is skipped, saying so.
set -uo pipefail
xdeploy="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

"$xdeploy" completion bash >"$work/xdeploy.bash" || { echo "FAIL: completion bash exited $?"; exit 1; }
"$xdeploy" completion zsh >"$work/_xdeploy" || { echo "FAIL: completion zsh exited $?"; exit 1; }
"$xdeploy" completion fish >"$work/xdeploy.fish" || { echo "FAIL: completion fish exited $?"; exit 1; }
"$xdeploy" completion tcsh >/dev/null 2>&1 && fail "an unknown shell was accepted"

# An interactive bash registers the function for xdeploy.
registered="$(HOME="$work" bash --norc --noprofile -i -c "source '$work/xdeploy.bash'; complete -p xdeploy" 2>/dev/null)"
[ "$registered" = "complete -F _xdeploy xdeploy" ] || fail "bash -i: complete -p xdeploy printed: $registered"

# bash_offers WORD...: the candidates for the last word, one per line, sorted.
bash_offers() {
  bash --norc --noprofile -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _xdeploy xdeploy "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$work/xdeploy.bash" "$@"
}
# expect "WANTED (newline-separated)" WORD...: exactly these candidates.
expect() {
  local want="$1"; shift
  local got; got="$(bash_offers "$@")"
  [ "$got" = "$want" ] || fail "bash: xdeploy ${*:2}<TAB> offered [$(echo $got)], expected [$(echo $want)]"
}
# offers_some NEEDLE WORD...: NEEDLE is among the candidates.
offers_some() {
  local needle="$1"; shift
  grep -qxF -- "$needle" <<<"$(bash_offers "$@")" || fail "bash: xdeploy ${*:2}<TAB> does not offer $needle"
}
nl=$'\n'
expect "promote" xdeploy pro
expect "blue${nl}green" xdeploy promote ''
expect "green" xdeploy replace g
expect "~blue${nl}~green" xdeploy '~'
expect "local${nl}terraform" xdeploy --backend ''
expect "always${nl}auto" xdeploy --color a
expect "promote" xdeploy --backend local -C /tmp pro   # option values are not verbs
expect "blue${nl}green" xdeploy --json promote ''
expect "" xdeploy promote green ''                     # promote takes one color
expect "promote" xdeploy plan prom
expect "blue${nl}green" xdeploy plan promote ''
expect "bash${nl}fish${nl}zsh" xdeploy completion ''
expect "always${nl}auto" xdeploy --color = a            # --color=a, as bash splits it
expect "promote" xdeploy --backend = local pro
expect "--chdir${nl}--check" xdeploy status --ch   # global options work after the verb too
offers_some --health-timeout xdeploy --hea
offers_some --no-hooks xdeploy cleanup --no
offers_some cleanup xdeploy ''
offers_some teal xdeploy ''

if command -v zsh >/dev/null; then
  zsh -n "$work/_xdeploy" || fail "zsh -n rejects the zsh script"
  # compinit loads it from $fpath like the vendor-completions dir does.
  out="$(HOME="$work" zsh -f -c "fpath=('$work' \$fpath); autoload -Uz compinit; compinit -u -d '$work/zcd'; print -r -- \${_comps[xdeploy]}" 2>&1)"
  [ "$out" = "_xdeploy" ] || fail "zsh compinit does not bind _xdeploy to xdeploy: $out"
else
  echo "SKIP zsh: not installed (apt-get install zsh)"
fi
if command -v fish >/dev/null; then
  fish -n "$work/xdeploy.fish" || fail "fish -n rejects the fish script"
  fish_offers() { HOME="$work" XDG_CONFIG_HOME="$work" XDG_DATA_HOME="$work" fish --no-config -c "source '$work/xdeploy.fish'; complete -C '$1'" | cut -f1 | sort; }
  [ "$(fish_offers 'xdeploy pro')" = "promote" ] || fail "fish: xdeploy pro<TAB> offered: $(fish_offers 'xdeploy pro')"
  [ "$(fish_offers 'xdeploy promote ')" = "blue${nl}green" ] || fail "fish: promote <TAB> offered: $(fish_offers 'xdeploy promote ')"
  [ "$(fish_offers 'xdeploy --backend ')" = "local${nl}terraform" ] || fail "fish: --backend <TAB> offered: $(fish_offers 'xdeploy --backend ')"
  # A word starting with ~ is fish's own user-name completion (fish would
  # tilde-expand it, too): the ~ verbs are offered among all verbs instead.
  grep -qx '~green' <<<"$(fish_offers 'xdeploy ')" || fail "fish: <TAB> does not offer ~green"
else
  echo "SKIP fish: not installed (apt-get install fish)"
fi

[ "$failures" -eq 0 ] || { echo "completion_shell_test: $failures failure(s)"; exit 1; }
echo "completion_shell_test: OK"
