# Read by xdeploy with `terraform output -json`; names and shapes are the
# contract shared with xdeploy and its fake terraform.

output "active" {
  description = "Color of the slot the static IP is attached to, or null when it is attached to none of the deployed slots."
  value       = one([for color, slot in module.slot : color if slot.instance_name == module.upgrade.attached_instance_name])
}

output "slots" {
  description = "Deployed slots keyed by color: instance name, its own public IP, the health URL straight to it (bypassing the static IP) and the build it runs."
  value = {
    for color, slot in module.slot : color => {
      instance_name = slot.instance_name
      public_ip     = slot.public_ip
      health_url    = slot.health_url
      build         = slot.build_sha256
    }
  }
}

output "current_build" {
  description = "SHA-256 of the artifact at artifact_path: what a slot created or replaced now runs. A slot whose build differs is stale; xdeploy status says so and `xdeploy ~<color>` replaces it."
  value       = local.artifact_sha256
}

output "static_ip" {
  description = "The public address of the service (Lightsail static IP)."
  value       = aws_lightsail_static_ip.this.ip_address
}

output "health_url" {
  description = "Health URL through the static IP, i.e. of whichever slot is active (with the scheme and port that slot was created with): https://<static_ip>:443/health by default."
  value       = "${module.slot[local.active].health_scheme}://${aws_lightsail_static_ip.this.ip_address}:${module.slot[local.active].port}${var.health_path}"
}
