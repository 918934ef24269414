#pragma once
// The starter files `xdeploy init` writes. Every key in kXdeployToml is a
// long option name (cli_test parses the file with all of them uncommented),
// and every value shown is that option's default.
namespace xd {

inline constexpr const char* kXdeployToml =
    R"(# xdeploy.toml: read from the current directory by every xdeploy command
# (another file: --config FILE). Keys are the long option names of
# `xdeploy --help`; the command line wins over this file. Written by
# `xdeploy init`: everything but chdir is commented out at its default.

# The Terraform root module: a copy of the module xdeploy ships
# (/usr/share/xdeploy/terraform), so a package upgrade never changes your
# infrastructure behind your back. Its .xdeploy/ holds the lock, the logs, the
# history and the hooks; its terraform.tfvars your settings.
chdir = "terraform"

# backend = "terraform"            # "local": slots are processes on this machine, no AWS
# terraform = "terraform"          # or "tofu"
# var-file = ["prod.tfvars"]       # passed to terraform plan

# The health gate that must pass before the static IP moves
# health-status = 200
# health-body = "\"status\":\"ok\""
# health-timeout = "5m"
# health-interval = "2s"
# health-request-timeout = "5s"

# The downtime prober during promote and rollback
# probe-deadline = "2m"            # the new color never serves by then: automatic rollback (exit 6)
# no-auto-rollback = false

# Waiting for others
# lock-wait = "0"                  # "10m": queue behind another xdeploy instead of exit 5
# tf-lock-timeout = "30s"          # Terraform's own state lock

# Hooks: executables named pre-deploy, pre-promote, post-promote,
# post-rollback, post-cleanup, on-failure (`man xdeploy`, HOOKS)
# hooks-dir = "terraform/.xdeploy/hooks"
# hook-timeout = "60s"
# no-hooks = false

# Secrets never go in this file, nor on the command line: export
# TF_VAR_falconx_api_key, TF_VAR_falconx_secret_key, TF_VAR_falconx_passphrase
# and TF_VAR_webhook_secret (Terraform reads them from the environment).
)";

inline constexpr const char* kTfvarsExample =
    R"(# terraform.tfvars.example: copy to terraform.tfvars and fill in. Terraform
# reads terraform.tfvars from this directory on every xdeploy run.
# Secrets do NOT go here: export them as TF_VAR_falconx_api_key,
# TF_VAR_falconx_secret_key, TF_VAR_falconx_passphrase, TF_VAR_webhook_secret.
# `deploy` is set by xdeploy itself: never set it here.

# Required: the falcon-xecutor package every new slot installs (cpack -G DEB).
artifact_path = "/path/to/falcon-xecutor_0.1.0_amd64.deb"

# Where and how big (defaults shown)
# region            = "us-east-1"
# availability_zone = "us-east-1a"
# bundle_id         = "nano_3_0"
# app               = "falcon-xecutor"   # prefix of every resource name

# Required: where you run xdeploy from (your public address, /32). The health
# gate reaches each slot on 443 from there; without it the plan stops.
operator_cidrs = ["203.0.113.7/32"]

# Who else may connect (defaults shown): 443 and 80 to TradingView's webhook
# senders (also the service's allow-list, so /32 only), SSH closed.
# webhook_cidrs = ["52.89.214.238/32", "34.212.75.30/32", "54.218.53.128/32", "52.32.178.7/32"]
# ssh_cidrs     = []
# key_pair_name = null

# The certificate nginx serves on 443 (both slots get the same pair). Empty:
# self-signed, which TradingView refuses (run xdeploy with --health-insecure).
# tls_certificate_pem_file = "/etc/letsencrypt/live/hooks.example.com/fullchain.pem"
# tls_private_key_pem_file = "/etc/letsencrypt/live/hooks.example.com/privkey.pem"

# The health endpoint, through nginx (defaults shown)
# health_scheme = "https"
# health_port   = 443
# health_path   = "/health"

# Non-secret service settings for /etc/falcon-xecutor/env
# service_env = { XECUTOR_EXECUTE = "0" }

# Remote state for a team (S3 with locking): see backend.tf.example here.
)";

}  // namespace xd
