# Blue/green on Lightsail: one instance per deployed color (module.slot), one
# static IP that never moves to a slot nobody verified (module.upgrade: the
# `verified` attestation). xdeploy drives it with saved plans; see README.md.

locals {
  # Same parse as the validations in variables.tf: "green, blue" works too.
  slots  = compact([for s in split(",", var.deploy) : trimspace(s)])
  active = local.slots[length(local.slots) - 1]

  # Content hash of the build: a slot created (or -replace'd) now installs
  # exactly these bytes, and its instance is tagged with them.
  artifact_sha256 = filesha256(var.artifact_path)
}

module "slot" {
  source   = "./modules/slot"
  for_each = toset(local.slots)

  name              = "${var.app}-${each.key}"
  app               = var.app
  color             = each.key
  region            = var.region
  availability_zone = var.availability_zone
  blueprint_id      = var.blueprint_id
  # Per-color settings: a slot takes bundle_id, health_port, health_scheme,
  # the CIDR lists and the certificate when it is created or replaced and
  # keeps them (ignore_changes in modules/slot), so a new value reaches the
  # inactive slot through teal or ~color and prod only through promote, never
  # both slots in place at once.
  bundle_id     = var.bundle_id
  key_pair_name = var.key_pair_name

  artifact_path   = var.artifact_path
  artifact_sha256 = local.artifact_sha256

  port          = var.health_port
  health_scheme = var.health_scheme
  health_path   = var.health_path
  webhook_cidrs = var.webhook_cidrs
  # app_cidrs is the deprecated name of operator_cidrs: both count.
  operator_cidrs = distinct(concat(var.operator_cidrs, var.app_cidrs))
  ssh_cidrs      = var.ssh_cidrs

  tls_certificate_pem_file = var.tls_certificate_pem_file
  tls_private_key_pem_file = var.tls_private_key_pem_file

  service_env = var.service_env

  # Shared by every slot: one alert executes once (claims.tf).
  claims_bucket = aws_s3_bucket.claims.bucket

  secrets = {
    FALCONX_API_KEY        = var.falconx_api_key
    FALCONX_SECRET_KEY     = var.falconx_secret_key
    FALCONX_PASSPHRASE     = var.falconx_passphrase
    XECUTOR_WEBHOOK_SECRET = var.webhook_secret
  }
}

# The address users and FalconX webhooks talk to. Destroying it releases the
# IP back to AWS (ReleaseStaticIp), so it is protected; see README "Teardown".
resource "aws_lightsail_static_ip" "this" {
  name = "${var.app}-ip"

  lifecycle {
    prevent_destroy = true
  }
}

# No depends_on on module.slot: the gate reads nothing live any more, and
# without it a targeted refresh of the instances (what xdeploy runs after
# every IP move) does not drag every slot resource into the graph.
module "upgrade" {
  source = "./modules/upgrade"

  static_ip_name           = aws_lightsail_static_ip.this.name
  active_color             = local.active
  instance_name            = module.slot[local.active].instance_name
  instance_arn             = module.slot[local.active].instance_arn
  instance_holds_static_ip = module.slot[local.active].is_static_ip
  verified                 = var.verified
}
