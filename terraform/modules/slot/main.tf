# One blue/green slot: a Lightsail instance that installs the falcon-xecutor
# .deb at first boot, its firewall, and a private S3 bucket that carries the
# build and the service env to it (see README "Artifact delivery" / "Secrets").
#
# Invariant the whole layout serves: a new build or new secrets must NOT change
# a slot that already exists. Only a new slot (xdeploy `teal`) or an explicit
# `-replace` of its instance (xdeploy `~green`) picks them up, so the active
# slot never shows up in the plan of another step (xdeploy's change guard
# refuses such plans).

locals {
  artifact_key = "${var.name}/falcon-xecutor-${var.artifact_sha256}.deb"
  env_key      = "${var.name}/env"
  # The certificate pair nginx serves; empty objects when none is given (the
  # boot script then makes a self-signed pair). Always present, so giving a
  # certificate later never adds resources to an existing slot.
  tls_certificate_key = "${var.name}/tls/cert.pem"
  tls_private_key_key = "${var.name}/tls/key.pem"

  # The service's own port, on 127.0.0.1 only: nginx (443) proxies to it.
  # Never opened in the firewall.
  service_port = 8080

  # Who may connect to 443 and 80. TradingView's senders and the operator's
  # machines share the port, so each list is opened in full on it.
  public_cidrs = distinct(concat(var.webhook_cidrs, var.operator_cidrs))

  # systemd EnvironmentFile: one KEY="value" per line; inside double quotes
  # only \ and " need escaping (values are single-line, checked by the root).
  # No XECUTOR_BIND: the unit binds 127.0.0.1, behind nginx. The allow-list
  # comes last so that service_env cannot make it disagree with the firewall:
  # the service matches exact addresses, hence the /32-only webhook_cidrs.
  env = merge(local.claims_env, var.service_env, var.secrets, {
    XECUTOR_SLOT        = var.color
    XECUTOR_PORT        = tostring(local.service_port)
    XECUTOR_ALLOWED_IPS = join(",", [for c in var.webhook_cidrs : cidrhost(c, 0)])
  })
  # The public HTTPS port this slot really has open: its firewall as created
  # (ignore_changes below), i.e. the one rule that is neither SSH nor the
  # port-80 redirect. (A slot from before the nginx front has only its
  # service port there, and gets that.)
  port = one([for p in aws_lightsail_instance_public_ports.this.port_info : p.from_port if !contains([22, 80], p.from_port)])
  # Its scheme as created (the instance's tags are frozen). A slot from
  # before the tag existed spoke plain HTTP.
  health_scheme = try(aws_lightsail_instance.this.tags["health-scheme"], "http")

  env_file = join("", [for k in sort(keys(local.env)) : "${k}=\"${replace(replace(local.env[k], "\\", "\\\\"), "\"", "\\\"")}\"\n"])

  boot_script = templatefile("${path.module}/boot.sh.tftpl", {
    color             = var.color
    region            = var.region
    bucket            = aws_s3_bucket.artifact.bucket
    artifact_key      = local.artifact_key
    artifact_sha256   = var.artifact_sha256
    env_key           = local.env_key
    tls_cert_key      = local.tls_certificate_key
    tls_key_key       = local.tls_private_key_key
    https_port        = var.port
    access_key_id     = aws_iam_access_key.reader.id
    secret_access_key = aws_iam_access_key.reader.secret
  })

  tags = {
    app             = var.app
    color           = var.color
    build           = var.artifact_sha256
    "health-scheme" = var.health_scheme
    "managed-by"    = "terraform"
  }
}

# ---------------------------------------------------------------------------
# Artifact store: private bucket + a reader that can only GET from it.
# ---------------------------------------------------------------------------

resource "aws_s3_bucket" "artifact" {
  bucket_prefix = "${var.name}-" # <= 37 chars, enforced by the root's app validation
  force_destroy = true           # removing the slot removes its build and env copy
  tags          = { app = var.app, color = var.color }
}

resource "aws_s3_bucket_public_access_block" "artifact" {
  bucket                  = aws_s3_bucket.artifact.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# Lightsail instances cannot assume IAM roles, so the instance gets the keys
# of a user whose only right is s3:GetObject on this one bucket.
resource "aws_iam_user" "reader" {
  name          = aws_s3_bucket.artifact.bucket # unique, <= 63 chars (IAM allows 64)
  path          = "/falcon-xecutor/"
  force_destroy = true
  tags          = { app = var.app, color = var.color }
}

resource "aws_iam_user_policy" "reader" {
  name = "read-artifact-bucket"
  user = aws_iam_user.reader.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["${aws_s3_bucket.artifact.arn}/*"]
    }]
  })
}

resource "aws_iam_access_key" "reader" {
  user = aws_iam_user.reader.name
}

# ---------------------------------------------------------------------------
# The instance
# ---------------------------------------------------------------------------

resource "aws_lightsail_instance" "this" {
  name              = var.name
  availability_zone = var.availability_zone
  blueprint_id      = var.blueprint_id
  bundle_id         = var.bundle_id
  key_pair_name     = var.key_pair_name
  # IPv4 only: TradingView has no IPv6, and a dual-stack instance's IPv6
  # address would bypass both the static IP and the IPv4-only firewall rules.
  ip_address_type = "ipv4"

  # The provider docs ask for a single-line launch script, and Lightsail may
  # combine it with its own (how is not verified here). So the real script
  # travels base64-encoded in one POSIX line that works under sh or bash,
  # standalone or appended. Its size (~4 KB) is far below EC2's 16 KB
  # user-data limit; Lightsail's own limit is not documented (unverified).
  user_data = "umask 077; echo ${base64encode(local.boot_script)} | base64 -d > /root/falcon-xecutor-boot.sh && bash /root/falcon-xecutor-boot.sh >> /var/log/falcon-xecutor-boot.log 2>&1"

  tags = local.tags

  depends_on = [aws_iam_user_policy.reader, aws_iam_user_policy.claims, aws_s3_bucket_public_access_block.artifact]

  lifecycle {
    # user_data and tags carry the build hash and (indirectly) the secrets; a
    # change would force-replace EVERY slot, the active one included. They are
    # therefore fixed at creation: `-replace` (or a new slot) re-renders them
    # from the current configuration, and the tags keep telling which build
    # the instance really runs. bundle_id likewise (it is ForceNew): a new
    # size reaches the inactive slot through teal/~color, prod through promote.
    # ip_address_type too: a slot created dual-stack before this setting
    # stays so until it is re-created, rather than being changed in place.
    ignore_changes = [user_data, tags, bundle_id, ip_address_type]
  }
}

# The firewall. PutInstancePublicPorts closes every port not listed: HTTPS
# (nginx) and its port-80 redirect to TradingView's senders and the operator,
# SSH only from ssh_cidrs (no rule at all when empty). The service's own port
# is never opened: it listens on 127.0.0.1.
resource "aws_lightsail_instance_public_ports" "this" {
  instance_name = aws_lightsail_instance.this.name

  port_info {
    protocol  = "tcp"
    from_port = var.port
    to_port   = var.port
    cidrs     = local.public_cidrs
  }

  port_info {
    protocol  = "tcp"
    from_port = 80
    to_port   = 80
    cidrs     = local.public_cidrs
  }

  dynamic "port_info" {
    for_each = length(var.ssh_cidrs) > 0 ? [22] : []
    content {
      protocol  = "tcp"
      from_port = port_info.value
      to_port   = port_info.value
      cidrs     = var.ssh_cidrs
    }
  }

  lifecycle {
    # Provider issue #20680: not re-created when the instance is replaced
    # under the same name, which would leave the new instance with Lightsail's
    # default ports (22 and 80 open to all). The id is unknown in a replace
    # plan, which triggers this.
    replace_triggered_by = [aws_lightsail_instance.this.id]
    # Per-color settings: the port and CIDRs this slot was created with stay
    # until the slot is re-created (with its instance, above). Otherwise a new
    # health_port or CIDR list would rewire both slots in place, prod included,
    # while prod's nginx still listens on the old port.
    ignore_changes = [port_info]

    # Checked at every plan, before anything changes: without an operator
    # address, xdeploy's health gate could never reach a new slot and would
    # time out with no hint why.
    precondition {
      condition     = length(var.operator_cidrs) > 0
      error_message = "operator_cidrs is empty: xdeploy's health gate must reach each slot on port ${var.port}, and only webhook_cidrs (TradingView) would be let in. Set operator_cidrs = [\"<your address>/32\"] (curl -s https://checkip.amazonaws.com) in terraform.tfvars."
    }
  }
}

# ---------------------------------------------------------------------------
# What the boot script downloads. Uploaded right AFTER the instance is created
# (replace_triggered_by makes them depend on it; the boot script retries until
# they appear) and re-uploaded whenever the instance is replaced, so a
# `-replace` ships the current build and env. Between replacements they are
# frozen (ignore_changes = all), like the instance's user_data.
# ---------------------------------------------------------------------------

resource "aws_s3_object" "artifact" {
  bucket       = aws_s3_bucket.artifact.id
  key          = local.artifact_key
  source       = var.artifact_path
  content_type = "application/vnd.debian.binary-package"

  lifecycle {
    ignore_changes       = all
    replace_triggered_by = [aws_lightsail_instance.this.id]
  }
}

resource "aws_s3_object" "env" {
  bucket       = aws_s3_bucket.artifact.id
  key          = local.env_key
  content      = local.env_file
  content_type = "text/plain"

  lifecycle {
    ignore_changes       = all
    replace_triggered_by = [aws_lightsail_instance.this.id]
  }
}

# The certificate pair (README "Certificates and renewal"): from the files the
# root's tls_*_pem_file name, or empty objects (then self-signed on the
# instance). `source`, not `content`: the private key is read by the provider
# at upload time and never lands in the plan or the state. Frozen and
# re-uploaded like the env file.
resource "aws_s3_object" "tls_certificate" {
  bucket       = aws_s3_bucket.artifact.id
  key          = local.tls_certificate_key
  source       = var.tls_certificate_pem_file == "" ? null : var.tls_certificate_pem_file
  content_type = "application/x-pem-file"

  lifecycle {
    ignore_changes       = all
    replace_triggered_by = [aws_lightsail_instance.this.id]
  }
}

resource "aws_s3_object" "tls_private_key" {
  bucket       = aws_s3_bucket.artifact.id
  key          = local.tls_private_key_key
  source       = var.tls_private_key_pem_file == "" ? null : var.tls_private_key_pem_file
  content_type = "application/x-pem-file"

  lifecycle {
    ignore_changes       = all
    replace_triggered_by = [aws_lightsail_instance.this.id]

    precondition {
      condition     = (var.tls_certificate_pem_file == "") == (var.tls_private_key_pem_file == "")
      error_message = "tls_certificate_pem_file and tls_private_key_pem_file go together: set both (your certificate and its key) or neither (self-signed)."
    }
  }
}
