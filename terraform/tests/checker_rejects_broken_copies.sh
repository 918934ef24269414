#!/usr/bin/env bash
# Proves hclcheck can fail: each case copies terraform/ to a temp dir, breaks
# one thing, and asserts the checker exits 1 with the expected message. A
# pristine copy must pass first, so each failure below is caused by its break.
# usage: checker_rejects_broken_copies.sh HCLCHECK TERRAFORM_DIR
set -euo pipefail
checker=$1
# Resolve symlinks: the copy must be a real directory, never a link back into
# the source tree (the cases edit and delete inside the copy).
source_dir=$(cd "$2" && pwd -P)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
copy="$work/tf"
failures=0

fresh_copy() {
  rm -rf "$copy"
  mkdir "$copy"
  (cd "$source_dir" && tar --exclude=./.terraform --exclude=./tests -cf - .) | (cd "$copy" && tar -xf -)
  if [ -L "$copy" ] || [ "$(cd "$copy" && pwd -P)" = "$source_dir" ]; then
    echo "setup error: $copy is not an independent copy"; exit 2
  fi
}

# expect_failure NAME MODE EXPECTED_TEXT: run the checker on the copy.
expect_failure() {
  local name=$1 mode=$2 expected=$3 out rc=0
  out=$("$checker" -mode="$mode" "$copy" 2>&1) || rc=$?
  if [ "$rc" -ne 1 ]; then
    echo "FAIL [$name]: checker exited $rc, expected 1. Output:"; echo "$out"; failures=$((failures + 1))
  elif ! grep -qF -- "$expected" <<<"$out"; then
    echo "FAIL [$name]: message lacks '$expected'. Output:"; echo "$out"; failures=$((failures + 1))
  else
    echo "ok   [$name]: rejected with '$expected'"
  fi
}

# replace FILE OLD NEW: literal edit inside the copy that must match exactly
# once (a stale case would otherwise silently test nothing).
replace() {
  python3 - "$copy/$1" "$2" "$3" <<'PY'
import sys
path, old, new = sys.argv[1:]
text = open(path).read()
if text.count(old) != 1:
    sys.exit(f"setup error: {old!r} found {text.count(old)} times in {path}")
open(path, "w").write(text.replace(old, new))
PY
}

fresh_copy
for mode in format contract; do
  if ! "$checker" -mode=$mode "$copy" >/dev/null 2>&1; then
    echo "FAIL [pristine copy]: checker rejects the unmodified module in $mode mode"; exit 1
  fi
done
echo "ok   [pristine copy]: accepted in both modes"

fresh_copy
printf '\nresource "aws_lightsail_instance" "broken" {\n  name = \n' >>"$copy/main.tf"
expect_failure "syntax error" format "main.tf does not parse"

fresh_copy
replace outputs.tf 'value       = aws_lightsail_static_ip.this.ip_address' 'value = aws_lightsail_static_ip.this.ip_address'
expect_failure "misformatted file" format "outputs.tf is not canonically formatted"

fresh_copy
replace modules/slot/boot.sh.tftpl "REGION='\${region}'" "REGION='\${region'"
expect_failure "broken boot template" format "boot.sh.tftpl does not parse as a template"

fresh_copy
replace outputs.tf 'output "active" {' 'output "active_color" {'
expect_failure "renamed output" contract 'contract output missing (output "active")'

fresh_copy
replace modules/upgrade/main.tf 'replace_triggered_by = [terraform_data.healthy]' 'create_before_destroy = true
    replace_triggered_by  = [terraform_data.healthy]'
expect_failure "attachment with create_before_destroy" contract "must not set create_before_destroy"

fresh_copy
replace modules/upgrade/main.tf 'instance_name  = terraform_data.healthy.output' 'instance_name  = var.instance_name'
expect_failure "attachment bypasses the gate" contract "instance_name = terraform_data.healthy.output"

fresh_copy
replace modules/upgrade/main.tf '    precondition {
      condition' '    postcondition {
      condition'
expect_failure "gate without precondition" contract "needs a lifecycle precondition"

fresh_copy
replace modules/upgrade/main.tf 'condition     = var.verified == var.active_color || var.instance_holds_static_ip == true' 'condition     = var.instance_holds_static_ip == true || var.instance_name != ""'
expect_failure "gate ignores the attestation" contract "must compare var.verified with var.active_color"

fresh_copy
replace modules/upgrade/versions.tf '  required_providers {' '  required_providers {
    http = {
      source = "hashicorp/http"
    }'
expect_failure "provider outside the mirror" contract 'required provider "http" is not in the provider mirror'

fresh_copy
printf '\ndata "http" "health" {\n  url = "http://127.0.0.1/health"\n}\n' >>"$copy/modules/upgrade/main.tf"
expect_failure "data source outside the mirror" contract 'data "http.health" needs a provider outside the mirror'

fresh_copy
replace modules/slot/main.tf 'ignore_changes = [user_data, tags, bundle_id, ip_address_type]' 'ignore_changes = [user_data, tags, ip_address_type]'
expect_failure "bundle_id shared by both slots" contract "needs bundle_id in lifecycle.ignore_changes"

fresh_copy
replace modules/slot/main.tf 'ignore_changes = [user_data, tags, bundle_id, ip_address_type]' 'ignore_changes = [user_data, tags, bundle_id]'
expect_failure "ip_address_type changed in place on prod" contract "needs ip_address_type in lifecycle.ignore_changes"

fresh_copy
replace modules/slot/main.tf 'ip_address_type = "ipv4"' 'ip_address_type = "dualstack"'
expect_failure "dual-stack slots" contract 'needs ip_address_type = "ipv4"'

fresh_copy
replace modules/slot/main.tf '    ignore_changes = [port_info]
' ''
expect_failure "firewall rewired in place" contract "needs ignore_changes = [port_info]"

fresh_copy
replace main.tf '  verified                 = var.verified
' ''
expect_failure "attestation not passed to the gate" contract "must take verified = var.verified"

fresh_copy
replace variables.tf '  sensitive   = true

  validation {
    condition     = length(var.webhook_secret)' '
  validation {
    condition     = length(var.webhook_secret)'
expect_failure "secret not sensitive" contract 'secret variable "webhook_secret" must be sensitive = true'

fresh_copy
replace variables.tf '  type        = string

  validation {
    condition     = length(compact' '  type        = list(string)

  validation {
    condition     = length(compact'
expect_failure "deploy as a list" contract 'variable "deploy" must have type = string'

fresh_copy
replace main.tf '    prevent_destroy = true' '    prevent_destroy = false'
expect_failure "static IP unprotected" contract "prevent_destroy = true"

fresh_copy
replace modules/slot/main.tf '    from_port = var.port
    to_port   = var.port' '    from_port = 0
    to_port   = 65535'
expect_failure "all ports open" contract "opens every port (0-65535)"

fresh_copy
replace modules/slot/main.tf '    replace_triggered_by = [aws_lightsail_instance.this.id]
    # Per-color' '    # Per-color'
expect_failure "ports not re-created with the instance" contract "#20680"

fresh_copy
rm "$copy/outputs.tf"
expect_failure "outputs file missing" contract 'contract output missing (output "slots")'

if [ "$failures" -ne 0 ]; then
  echo "$failures case(s) not rejected as expected"
  exit 1
fi
echo "all broken copies rejected"
