# Terraform >= 1.5 for terraform_data (1.4), replace_triggered_by and
# preconditions (1.2) and the validation functions used below. OpenTofu >= 1.6
# reads the same configuration (registry.opentofu.org mirrors both providers).
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    # Major versions pinned: a new major may rename or re-shape arguments this
    # module relies on (Lightsail, S3, IAM). Minor upgrades are picked up by
    # `init -upgrade` and recorded in .terraform.lock.hcl (commit that file).
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    # retry {} and request_timeout_ms exist since 3.4.
    http = {
      source  = "hashicorp/http"
      version = "~> 3.4"
    }
  }
}

provider "aws" {
  region = var.region
}
