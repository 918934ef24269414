variable "name" {
  description = "Instance name, <app>-<color>. Lightsail: 2-255 chars of [0-9A-Za-z_.-], starting alphanumeric, not ending in _ . -"
  type        = string

  validation {
    condition     = can(regex("^[0-9A-Za-z][0-9A-Za-z_.-]{0,253}[0-9A-Za-z]$", var.name))
    error_message = "name breaks Lightsail's naming rules (2-255 chars of [0-9A-Za-z_.-], alphanumeric at both ends)."
  }
}

variable "app" {
  description = "Application name, used in tags."
  type        = string
}

variable "color" {
  description = "Slot color, written to the service as XECUTOR_SLOT and to the instance tags."
  type        = string

  validation {
    condition     = contains(["blue", "green"], var.color)
    error_message = "color must be \"blue\" or \"green\"."
  }
}

variable "region" {
  description = "AWS region (the S3 endpoint the instance downloads from)."
  type        = string
}

variable "availability_zone" {
  description = "Lightsail availability zone."
  type        = string
}

variable "blueprint_id" {
  description = "Lightsail blueprint (OS image)."
  type        = string
}

variable "bundle_id" {
  description = "Lightsail bundle (instance size)."
  type        = string
}

variable "key_pair_name" {
  description = "Lightsail key pair for SSH, or null for the default key pair."
  type        = string
  default     = null
}

variable "artifact_path" {
  description = "Local path of the .deb uploaded to this slot's bucket."
  type        = string
}

variable "artifact_sha256" {
  description = "Hex SHA-256 of the .deb (filesha256), checked on the instance before install."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.artifact_sha256))
    error_message = "artifact_sha256 must be 64 lowercase hex digits."
  }
}

variable "port" {
  description = "Public HTTPS port of the nginx front (443): the health URL's port, opened with 80 to webhook_cidrs and operator_cidrs."
  type        = number
}

variable "health_scheme" {
  description = "Scheme of the slot's health URL (https behind nginx; http only for a stand-in without it). Kept from creation (instance tag)."
  type        = string
}

variable "health_path" {
  description = "Path of the slot's health URL."
  type        = string
}

variable "webhook_cidrs" {
  description = "TradingView's sender addresses as /32 CIDRs: opened on 443 and 80, and the service's XECUTOR_ALLOWED_IPS."
  type        = list(string)
}

variable "operator_cidrs" {
  description = "Where xdeploy runs: opened on 443 and 80 (health gate, prober, status), not in the allow-list."
  type        = list(string)
}

variable "ssh_cidrs" {
  description = "IPv4 CIDRs allowed on port 22; empty closes SSH."
  type        = list(string)
  default     = []
}

variable "service_env" {
  description = "Extra non-secret KEY=value lines for /etc/falcon-xecutor/env."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Secret KEY=value lines for /etc/falcon-xecutor/env (FALCONX_*, XECUTOR_WEBHOOK_SECRET)."
  type        = map(string)
  sensitive   = true
}

variable "claims_bucket" {
  description = "Name of the S3 bucket both slots share for execution claims and the daily notional (terraform/claims.tf)."
  type        = string
}

variable "tls_certificate_pem_file" {
  description = "PEM certificate nginx serves, uploaded to the slot's bucket; empty: the boot script makes a self-signed one."
  type        = string
  default     = ""
}

variable "tls_private_key_pem_file" {
  description = "PEM private key of tls_certificate_pem_file, uploaded to the slot's bucket (never in user data); empty: self-signed."
  type        = string
  default     = ""
}
