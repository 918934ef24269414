# ---------------------------------------------------------------------------
# The slot contract, driven by xdeploy: -var=deploy=<inactive>,<active>
# ---------------------------------------------------------------------------

# A string, not a list: `-var=deploy=blue,green` (the seed's spelling) is taken
# literally for a string, while a list type would need HCL syntax on the
# command line. Every condition re-parses it the same way as local.slots
# (validation blocks may only refer to the variable itself).
variable "deploy" {
  description = "Deployed slots as comma-separated colors ordered inactive,active: \"blue\", \"green,blue\" (blue active). The LAST color holds the static IP."
  type        = string

  validation {
    condition     = length(compact([for s in split(",", var.deploy) : trimspace(s)])) > 0
    error_message = "deploy is empty: give one color (\"blue\") or two ordered inactive,active (\"green,blue\")."
  }
  validation {
    condition     = alltrue([for c in compact([for s in split(",", var.deploy) : trimspace(s)]) : contains(["blue", "green"], c)])
    error_message = "deploy has an unknown color: only \"blue\" and \"green\" exist."
  }
  validation {
    condition     = length(distinct(compact([for s in split(",", var.deploy) : trimspace(s)]))) == length(compact([for s in split(",", var.deploy) : trimspace(s)]))
    error_message = "deploy names a color twice: each slot appears once (\"green,blue\", not \"blue,blue\")."
  }
  validation {
    condition     = length(compact([for s in split(",", var.deploy) : trimspace(s)])) <= 2
    error_message = "deploy has more than two slots: give at most inactive,active."
  }
}

# The attestation: the color whose health was just checked. xdeploy passes
# -var=verified=<color> after, and only after, its native health gate passed
# for that color; the static IP can move to a slot only if this names it (see
# modules/upgrade). A verb that does not move the IP passes nothing.
variable "verified" {
  description = "Color whose health was just verified (xdeploy sets it after its health gate). Required to move the static IP to a slot; null otherwise."
  type        = string
  default     = null

  validation {
    condition     = var.verified == null || contains(["blue", "green"], coalesce(var.verified, "none"))
    error_message = "verified must be \"blue\" or \"green\": the color whose health you checked."
  }
}

# ---------------------------------------------------------------------------
# Where and what
# ---------------------------------------------------------------------------

variable "region" {
  description = "AWS region of every resource (Lightsail is in a subset of regions)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must look like an AWS region, e.g. \"us-east-1\"."
  }
}

variable "availability_zone" {
  description = "Lightsail availability zone of both slots; must be inside region (e.g. us-east-1a)."
  type        = string
  default     = "us-east-1a"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9][a-z]$", var.availability_zone))
    error_message = "availability_zone must look like \"us-east-1a\" (region plus a zone letter)."
  }
}

variable "blueprint_id" {
  description = "Lightsail OS image. The .deb is built on Debian 12 (bookworm) and depends on its libraries, so the image must be Debian 12."
  type        = string
  default     = "debian_12"

  validation {
    condition     = can(regex("^[a-z0-9_]+$", var.blueprint_id))
    error_message = "blueprint_id must be a Lightsail blueprint id such as \"debian_12\" (see `aws lightsail get-blueprints`)."
  }
}

variable "bundle_id" {
  description = "Lightsail instance size, per color: a slot keeps the size it was created with; a new value reaches a slot through teal/~color. nano_3_0 = 2 vCPU burst, 512 MB RAM, public IPv4 included (see README for prices)."
  type        = string
  default     = "nano_3_0"

  validation {
    condition     = can(regex("^[a-z0-9]+(_[a-z0-9]+)*_[0-9]+_[0-9]+$", var.bundle_id))
    error_message = "bundle_id must be a Lightsail bundle id such as \"nano_3_0\" or \"micro_3_0\" (see `aws lightsail get-bundles`)."
  }
}

variable "app" {
  description = "Name prefix of every resource: instances are <app>-blue / <app>-green, the static IP <app>-ip. Lowercase because it also prefixes S3 bucket names."
  type        = string
  default     = "falcon-xecutor"

  validation {
    # 2-30 chars: "<app>-green-" must fit S3's 37-char bucket_prefix limit;
    # Lightsail names must start alphanumeric and not end in - _ .
    condition     = can(regex("^[a-z][a-z0-9-]{0,28}[a-z0-9]$", var.app))
    error_message = "app must be 2-30 characters of a-z, 0-9 and '-', start with a letter and end with a letter or digit."
  }
}

variable "artifact_path" {
  description = "Path to the falcon-xecutor .deb built by `cpack -G DEB`. Its SHA-256 is baked into a new slot's boot script and checked on the instance before install."
  type        = string

  validation {
    condition     = fileexists(var.artifact_path)
    error_message = "artifact_path does not name an existing file: build the package first (cmake --build build && (cd build && cpack -G DEB))."
  }
  validation {
    condition     = endswith(var.artifact_path, ".deb")
    error_message = "artifact_path must be the .deb package (it is installed with apt-get)."
  }
}

variable "key_pair_name" {
  description = "Optional Lightsail key pair for SSH; null uses the region's default key pair."
  type        = string
  default     = null
}

# ---------------------------------------------------------------------------
# Network exposure and health
# ---------------------------------------------------------------------------

# The public side of every slot is Debian's nginx (TLS on health_port, 443 by
# default, and a redirect on 80), in front of the service on loopback. See
# README "TLS front, ports and firewall".
variable "health_port" {
  description = "Public HTTPS port of each slot's nginx front: the port of the health URLs, opened with 80 to webhook_cidrs and operator_cidrs. Keep 443: TradingView only delivers to 443 and 80 (another value is for test stand-ins). Per color: a slot keeps the port it was created with."
  type        = number
  default     = 443

  validation {
    condition     = var.health_port >= 1 && var.health_port <= 65535 && floor(var.health_port) == var.health_port && !contains([22, 80], var.health_port)
    error_message = "health_port must be a whole number in 1-65535 other than 22 (SSH) and 80 (the redirect to HTTPS); 443 is what TradingView calls."
  }
}

variable "health_path" {
  description = "HTTP path of the health endpoint."
  type        = string
  default     = "/health"

  validation {
    condition     = startswith(var.health_path, "/") && !can(regex("[[:space:]]", var.health_path))
    error_message = "health_path must start with '/' and contain no whitespace."
  }
}

variable "health_scheme" {
  description = "Scheme of the health URLs. https: nginx terminates TLS on health_port (with the self-signed default, run xdeploy with --health-insecure). http only for a stand-in without the nginx front (tests). Per color."
  type        = string
  default     = "https"

  validation {
    condition     = contains(["http", "https"], var.health_scheme)
    error_message = "health_scheme must be \"http\" or \"https\"."
  }
}

# Who may open a connection to a slot. Lightsail rules are per port, so 443
# (and 80) are opened to both lists: narrowing one never closes the other.
variable "webhook_cidrs" {
  description = "Addresses TradingView sends webhooks from, as /32 CIDRs (TradingView's published list by default). Opened on 443 and 80, and written to the service's allow-list XECUTOR_ALLOWED_IPS: only these addresses may place orders. Per color."
  type        = list(string)
  default     = ["52.89.214.238/32", "34.212.75.30/32", "54.218.53.128/32", "52.32.178.7/32"]

  validation {
    condition     = length(var.webhook_cidrs) > 0
    error_message = "webhook_cidrs is empty: it is also the service's allow-list (XECUTOR_ALLOWED_IPS), and an empty allow-list would let any address try the webhook secret. Keep TradingView's addresses (the default)."
  }
  validation {
    condition     = alltrue([for c in var.webhook_cidrs : can(cidrhost(c, 0)) && !strcontains(c, ":")])
    error_message = "webhook_cidrs must be IPv4 CIDRs such as \"52.89.214.238/32\" (an address needs its /32; IPv6 is refused: the slots are IPv4-only)."
  }
  validation {
    condition     = alltrue([for c in var.webhook_cidrs : endswith(c, "/32")])
    error_message = "webhook_cidrs entries must be single addresses (/32): they become XECUTOR_ALLOWED_IPS, which the service matches exactly against the client address, so a range would open the firewall but never pass the allow-list. List each sender as \"a.b.c.d/32\"."
  }
}

variable "operator_cidrs" {
  description = "Where you run xdeploy (and curl) from: opened on 443 and 80 so the health gate, the prober and `xdeploy status` reach each slot. Not in the allow-list: these addresses can read /health but not place orders. Required in practice: with neither this nor app_cidrs the plan stops and says so. Per color."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.operator_cidrs : can(cidrhost(c, 0)) && !strcontains(c, ":")])
    error_message = "operator_cidrs must be IPv4 CIDRs such as \"203.0.113.7/32\" (your address: curl -s https://checkip.amazonaws.com)."
  }
}

variable "app_cidrs" {
  description = "DEPRECATED alias of operator_cidrs, kept so existing tfvars keep working: its entries are added to operator_cidrs (443 and 80). It no longer opens the service port, which is on loopback behind nginx. Per color."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.app_cidrs : can(cidrhost(c, 0)) && !strcontains(c, ":")])
    error_message = "app_cidrs (deprecated alias of operator_cidrs) must be IPv4 CIDRs such as \"203.0.113.0/24\"."
  }
}

variable "ssh_cidrs" {
  description = "IPv4 CIDRs allowed to SSH (port 22). Empty (the default) closes SSH; the Lightsail browser console still works. Per color, like operator_cidrs."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.ssh_cidrs : can(cidrhost(c, 0)) && !strcontains(c, ":") && c != "0.0.0.0/0"])
    error_message = "ssh_cidrs must be IPv4 CIDRs such as \"203.0.113.7/32\"; 0.0.0.0/0 is refused (SSH open to the world)."
  }
}

# The certificate nginx serves. Both slots get the same pair (uploaded to each
# slot's private bucket, never in user data), so a promote never changes the
# certificate. Empty: a self-signed pair made on the instance (a first try:
# TradingView refuses it). Per color, like the build: a renewed pair reaches a
# slot through teal/~color. See README "Certificates and renewal".
# (HCL's || does not short-circuit: can() absorbs file("") and a missing file.)
variable "tls_certificate_pem_file" {
  description = "Path to the PEM certificate (chain) nginx serves on 443, e.g. certbot's fullchain.pem; relative paths are relative to this directory. Empty: self-signed. Set together with tls_private_key_pem_file."
  type        = string
  default     = ""

  validation {
    condition     = var.tls_certificate_pem_file == "" || can(regex("-----BEGIN CERTIFICATE-----", file(var.tls_certificate_pem_file)))
    error_message = "tls_certificate_pem_file must name an existing PEM file holding a certificate (-----BEGIN CERTIFICATE-----), e.g. certbot's fullchain.pem, or be empty for the self-signed default."
  }
}

variable "tls_private_key_pem_file" {
  description = "Path to the PEM private key of tls_certificate_pem_file (e.g. certbot's privkey.pem). Its content is secret: it travels only through the slot's private bucket, never in user data or plan output. Empty: self-signed."
  type        = string
  default     = ""

  validation {
    condition     = var.tls_private_key_pem_file == "" || can(regex("-----BEGIN [A-Z ]*PRIVATE KEY-----", file(var.tls_private_key_pem_file)))
    error_message = "tls_private_key_pem_file must name an existing PEM private key file (-----BEGIN ... PRIVATE KEY-----), or be empty for the self-signed default."
  }
}

variable "service_env" {
  description = "Extra non-secret settings for /etc/falcon-xecutor/env, e.g. { XECUTOR_EXECUTE = \"1\" }. Secrets go in the sensitive variables below."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.service_env : can(regex("^[A-Z_][A-Z0-9_]*$", k)) && !can(regex("[\r\n]", v))])
    error_message = "service_env keys must be UPPER_SNAKE_CASE and values single-line."
  }
}

# ---------------------------------------------------------------------------
# Secrets: pass them as TF_VAR_falconx_api_key=... in the environment, never
# with -var (argv is visible to every local user and lands in shell history).
# ---------------------------------------------------------------------------

variable "falconx_api_key" {
  description = "FalconX API key (FALCONX_API_KEY on the instance). Set TF_VAR_falconx_api_key."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.falconx_api_key) > 0 && !can(regex("[\r\n]", var.falconx_api_key))
    error_message = "falconx_api_key must be a non-empty single line (set TF_VAR_falconx_api_key)."
  }
}

variable "falconx_secret_key" {
  description = "FalconX API secret (FALCONX_SECRET_KEY on the instance). Set TF_VAR_falconx_secret_key."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.falconx_secret_key) > 0 && !can(regex("[\r\n]", var.falconx_secret_key))
    error_message = "falconx_secret_key must be a non-empty single line (set TF_VAR_falconx_secret_key)."
  }
}

variable "falconx_passphrase" {
  description = "FalconX API passphrase (FALCONX_PASSPHRASE on the instance). Set TF_VAR_falconx_passphrase."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.falconx_passphrase) > 0 && !can(regex("[\r\n]", var.falconx_passphrase))
    error_message = "falconx_passphrase must be a non-empty single line (set TF_VAR_falconx_passphrase)."
  }
}

variable "webhook_secret" {
  description = "Shared secret authenticating incoming webhooks (XECUTOR_WEBHOOK_SECRET on the instance). Set TF_VAR_webhook_secret."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.webhook_secret) >= 16 && !can(regex("[\r\n]", var.webhook_secret))
    error_message = "webhook_secret must be a single line of at least 16 characters (set TF_VAR_webhook_secret)."
  }
}
