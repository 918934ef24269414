#!/usr/bin/env bash
# The module AS SHIPPED against the real Terraform binary and this machine's
# provider mirror, offline: fmt -check, init from the mirror, validate, a
# creation-only plan for `deploy=blue`, and (given the xdeploy binary)
# `xdeploy plan blue`, whose first step plans for real and runs the change
# guard on the real `show -json`.
#
# usage: real_terraform_check.sh TERRAFORM_DIR [XDEPLOY_BIN]
# Terraform: $XD_REAL_TERRAFORM, else `terraform` on PATH. The mirror is found
# the way the machine image documents it (a `registry.terraform.io` folder a
# few levels under /), never hard-coded. Missing binary or mirror: prints
# SKIPPED with the reason and exits 77 (CTest SKIP_RETURN_CODE), never passes.
set -euo pipefail
source_dir=$(cd "$1" && pwd -P)
xdeploy=${2:-}
SKIP=77

skip() { echo "SKIPPED: $*"; exit "$SKIP"; }
fail() { echo "FAIL: $*"; exit 1; }

tf=${XD_REAL_TERRAFORM:-$(command -v terraform || true)}
[ -n "$tf" ] && [ -x "$tf" ] || skip "no terraform binary (set XD_REAL_TERRAFORM or put terraform on PATH)"
"$tf" version -json >/dev/null 2>&1 || skip "$tf does not run"
if "$tf" version -json 2>/dev/null | grep -q '"terraform_version": *"0\.'; then skip "$tf is older than 1.x"; fi
# A fake terraform on PATH (the fast tier's) answers `version -json` too; it
# cannot validate HCL, so it is not what this tier is about.
if "$tf" version 2>/dev/null | grep -qi fake; then skip "$tf is the fake terraform"; fi

registry=$(find / -maxdepth 4 -type d -name registry.terraform.io 2>/dev/null | head -n 1 || true)
[ -n "$registry" ] || skip "no provider mirror (no registry.terraform.io folder within 4 levels of /)"
[ -d "$registry/hashicorp/aws" ] || skip "the mirror at $registry has no hashicorp/aws"
mirror=$(dirname "$registry")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
copy="$work/tf"
mkdir "$copy"
(cd "$source_dir" && tar --exclude=./.terraform --exclude=./.terraform.lock.hcl --exclude=./tests \
  --exclude='./*.tfstate*' --exclude=./.xdeploy -cf - .) | (cd "$copy" && tar -xf -)

cat >"$work/cli.tfrc" <<CFG
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
CFG
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
export TF_DATA_DIR="$copy/.terraform" TF_PLUGIN_CACHE_DIR=
# Secrets the way xdeploy users pass them: environment, never argv.
export TF_VAR_falconx_api_key=test-key TF_VAR_falconx_secret_key=test-secret \
  TF_VAR_falconx_passphrase=test-pass TF_VAR_webhook_secret=test-webhook-secret-0123

step() { echo "== $*"; }
run() { # run LABEL CMD...: fails the test with Terraform's output
  local label=$1; shift
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  if [ "$rc" -ne 0 ]; then echo "$out"; fail "$label exited $rc"; fi
  printf '%s\n' "$out" >"$work/$label.log"
}

step "terraform $("$tf" version | head -n 1 | cut -d' ' -f2), mirror $mirror"
step "fmt -check -recursive (the shipped files)"
run fmt "$tf" -chdir="$source_dir" fmt -check -recursive -no-color

step "init from the mirror (offline)"
run init "$tf" -chdir="$copy" init -input=false -no-color
grep -q 'registry.terraform.io/hashicorp/aws' "$copy/.terraform.lock.hcl" || fail "no aws provider in the lock file"

step "validate"
run validate "$tf" -chdir="$copy" validate -no-color

# Test credentials and no AWS calls for a creation-only plan: an override file
# merges into the module's own provider block (Terraform's *_override.tf).
cat >"$copy/xdeploy_test_override.tf" <<'TF'
provider "aws" {
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
TF
printf 'fake build\n' >"$work/falcon-xecutor.deb"
# operator_cidrs: without it the plan stops (xdeploy's gate could not reach a slot).
printf 'artifact_path = "%s"\noperator_cidrs = ["203.0.113.7/32"]\n' "$work/falcon-xecutor.deb" >"$copy/terraform.tfvars"

step "plan -var deploy=blue (creation only)"
run plan "$tf" -chdir="$copy" plan -input=false -no-color -out=blue.tfplan -var=deploy=blue
"$tf" -chdir="$copy" show -json blue.tfplan >"$work/blue.json"
python3 - "$work/blue.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
changes = {rc["address"]: rc["change"]["actions"] for rc in plan.get("resource_changes", [])}
must = ['module.slot["blue"].aws_lightsail_instance.this', "aws_lightsail_static_ip.this",
        "module.upgrade.terraform_data.healthy", "module.upgrade.aws_lightsail_static_ip_attachment.this"]
missing = [a for a in must if a not in changes]
not_create = {a: x for a, x in changes.items() if x != ["create"]}
if missing or not_create:
    sys.exit(f"FAIL: creation plan: missing {missing}, not a create {not_create}")
print(f"   {len(changes)} resources, all created")
PY

step "plan with a wrong attestation is refused at plan time"
rc=0
out=$("$tf" -chdir="$copy" plan -input=false -no-color -var=deploy=blue -var=verified=orange 2>&1) || rc=$?
[ "$rc" -eq 1 ] && grep -q 'verified must be' <<<"$out" || { echo "$out"; fail "verified=orange not refused"; }

step "xdeploy's address refresh is accepted (targeted apply -refresh-only -json, empty state)"
out=$("$tf" -chdir="$copy" apply -refresh-only -auto-approve -input=false -json -lock-timeout=30s \
  -var=deploy=green,blue '-target=module.slot["blue"].aws_lightsail_instance.this' \
  '-target=module.slot["green"].aws_lightsail_instance.this' 2>&1) || { echo "$out"; fail "refresh-only apply"; }
grep -q '"type":"outputs"' <<<"$out" || { echo "$out"; fail "no outputs event in the refresh-only -json stream"; }
[ ! -e "$copy/terraform.tfstate" ] || rm -f "$copy/terraform.tfstate"

if [ -n "$xdeploy" ]; then
  step "xdeploy plan blue (real terraform, real show -json, the change guard)"
  out=$("$xdeploy" --terraform "$tf" -C "$copy" plan blue 2>&1) || { echo "$out"; fail "xdeploy plan blue"; }
  grep -q 'within the step' <<<"$out" || { echo "$out"; fail "xdeploy plan blue did not run the guard"; }
  [ ! -e "$copy/terraform.tfstate" ] || fail "xdeploy plan wrote state"
fi
echo "PASS: the module as shipped inits, validates and plans offline with $("$tf" version | head -n 1)"
