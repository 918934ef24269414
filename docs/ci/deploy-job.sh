#!/usr/bin/env bash
# A plain shell CI job for xdeploy (GitLab CI, Jenkins, cron, ...): deploy the
# new build to the INACTIVE slot, gate it, promote it; or, with `cleanup`
# (run it on a schedule), destroy the inactive slot once prod has been good
# for a while. Decisions come from `--json` and xdeploy's exit codes, never
# from parsing human output.
#
#   docs/ci/deploy-job.sh deploy     # on every merge to main
#   docs/ci/deploy-job.sh rollback   # by hand; waits for a deploy running elsewhere
#   docs/ci/deploy-job.sh cleanup    # nightly
#   docs/ci/deploy-job.sh history    # who promoted what, when, from every runner
#
# Needs: the xdeploy package (apt install ./xdeploy_*.deb), terraform (from
# HashiCorp's apt repository: not a Debian package), jq, and in the
# environment:
#   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN), or AWS_PROFILE
#   TF_VAR_falconx_api_key, TF_VAR_falconx_secret_key,
#   TF_VAR_falconx_passphrase, TF_VAR_webhook_secret   (secrets: never argv)
#   TF_VAR_artifact_path   the falcon-xecutor_*.deb this pipeline built
#   TFSTATE_BUCKET         S3 bucket for the shared state, lock and history
# The project dir holds xdeploy.toml and terraform/ (from `xdeploy init`).
set -euo pipefail
cd "${PROJECT_DIR:-.}"

# Remote state, shared by every runner and laptop: `xdeploy init --backend s3`
# writes terraform/backend.tf (use_lockfile = true) and, the first time,
# creates the bucket versioned, encrypted and private. With the state in S3,
# xdeploy's deploy lock and history live next to it, so they are one across
# runners. Credentials come from the environment only.
if [ ! -f terraform/backend.tf ]; then
  xdeploy init --backend s3 --bucket "${TFSTATE_BUCKET:?set TFSTATE_BUCKET}" --key falcon-xecutor/terraform.tfstate --region "${AWS_REGION:-us-east-1}"
fi

# --lock-wait 15m: another pipeline holding the deploy lock, on any runner, is
# queued behind instead of failing at once (exit 5 names its run and CI job).
explain() {  # explain EXIT_CODE: what it means for the pipeline
  case "$1" in
    0) echo "ok" ;;
    1) echo "failed: see the message and .xdeploy/logs/ (artifact)" ;;
    2) echo "usage error in this job: fix the job" ;;
    3) echo "health gate failed: the static IP was NOT moved; prod is untouched" ;;
    4) echo "refused (precondition, plan guard, or a pre-hook): nothing changed" ;;
    5) echo "locked: another xdeploy (on any runner) still runs; the message names it and its CI job" ;;
    6) echo "the move did not take (never served publicly, or the attach failed): rolled back to the previous color" ;;
    130) echo "interrupted: run the job again to continue" ;;
    *) echo "unexpected exit code $1" ;;
  esac
}

deploy() {
  xdeploy status --json >status.json
  local active inactive rc=0
  active="$(jq -r '.deployment.active // empty' status.json)"
  inactive="$(jq -r '.deployment.inactive // empty' status.json)"

  if [ -z "$active" ]; then
    # Nothing deployed yet: the first deploy is gated by Terraform and xdeploy.
    xdeploy blue --json --yes --lock-wait 15m >deploy.json || rc=$?
    echo "first deploy: $(explain "$rc")"
    return "$rc"
  fi
  if [ -z "$inactive" ]; then
    xdeploy teal --json --yes --lock-wait 15m >deploy.json || rc=$?        # create the twin with this build
    inactive="$(jq -r '.to.inactive // empty' deploy.json)"
  else
    xdeploy replace "$inactive" --json --yes --lock-wait 15m >deploy.json || rc=$?  # same as ~color
  fi
  [ "$rc" -eq 0 ] || { echo "deploy to the inactive slot: $(explain "$rc")"; return "$rc"; }

  # Gate: the new slot must answer as itself before it gets prod's IP. The
  # promote gates again, natively; this is where a smoke test of yours goes.
  xdeploy status --check --json >gate.json || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "gate on $inactive: $(explain "$rc")"
    return "$rc"
  fi

  xdeploy promote "$inactive" --json --yes --lock-wait 15m >promote.json || rc=$?
  echo "promote $inactive: $(explain "$rc") (downtime $(jq -r '.probe.downtime_ms // "n/a"' promote.json) ms)"
  return "$rc"
}

rollback() {
  # Started by a person while a deploy may be running on another runner: it
  # waits for that run's lock (up to 15 min) instead of interleaving with it.
  local rc=0
  xdeploy rollback --json --yes --lock-wait 15m >rollback.json || rc=$?
  echo "rollback: $(explain "$rc")"
  return "$rc"
}

cleanup() {
  # Nothing to clean is exit 0: safe to run blindly on a schedule.
  local rc=0
  xdeploy cleanup --json --yes --lock-wait 15m >cleanup.json || rc=$?
  echo "cleanup: $(explain "$rc")"
  return "$rc"
}

case "${1:-}" in
  deploy) deploy ;;
  rollback) rollback ;;
  cleanup) cleanup ;;
  history) xdeploy history --limit 50 ;;   # every runner's operations, from S3
  *) echo "usage: $0 deploy|rollback|cleanup|history" >&2; exit 2 ;;
esac
