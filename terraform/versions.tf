# Terraform >= 1.5 for terraform_data (1.4), replace_triggered_by and
# preconditions (1.2) and the validation functions used below. OpenTofu >= 1.6
# reads the same configuration (registry.opentofu.org mirrors the provider).
# One provider only: the health gate is xdeploy's own (see modules/upgrade),
# so `init` works from a mirror holding nothing but hashicorp/aws.
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    # 5.100 (what this project's machines mirror) through 6.x: every argument
    # used here exists with the same shape in both majors (checked against
    # 5.100's `terraform providers schema -json`, see README). A new major may
    # rename or re-shape them, hence the upper bound. Minor upgrades are picked
    # up by `init -upgrade` and recorded in .terraform.lock.hcl.
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
}

provider "aws" {
  region = var.region

  # The retry budget of one AWS call, sized to xdeploy's bound on an IP move
  # (--move-deadline, 45 s by default: prod is dark from the detach to the
  # attach). The provider retries a call that answers 5xx or is throttled with
  # exponential backoff, 25 times by default: with AttachStaticIp answering 500
  # a promote sat in those retries for 295 s. Four retries back off for at most
  # ~15 s, so a call that keeps failing fails the apply well inside the
  # deadline, and xdeploy puts the static IP back on the slot that served.
  max_retries = 4
}
