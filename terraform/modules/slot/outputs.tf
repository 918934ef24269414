output "instance_name" {
  description = "Lightsail instance name (its id)."
  value       = aws_lightsail_instance.this.name
}

output "instance_arn" {
  description = "Instance ARN: contains a unique id, so it changes whenever the instance is re-created under the same name."
  value       = aws_lightsail_instance.this.arn
}

output "public_ip" {
  description = "The instance's own public IPv4 as of the last refresh. Lightsail changes it on every static IP attach (it becomes the static IP) and detach (a new dynamic address), so it is stale after an IP move until the next refresh."
  value       = aws_lightsail_instance.this.public_ip_address
}

output "is_static_ip" {
  description = "Whether the instance holds a static IP, as of the last refresh (the gate needs no attestation for an instance that already holds it)."
  value       = aws_lightsail_instance.this.is_static_ip
}

output "port" {
  description = "Public HTTPS port (nginx) this slot was created with (per-color setting)."
  value       = local.port
}

output "health_scheme" {
  description = "Scheme of this slot's health URL as created (per-color setting)."
  value       = local.health_scheme
}

output "health_url" {
  description = "Health URL straight to this slot, through its nginx front: https://<its public_ip>:443/health by default."
  value       = "${local.health_scheme}://${aws_lightsail_instance.this.public_ip_address}:${local.port}${var.health_path}"
}

output "build_sha256" {
  description = "SHA-256 of the build this instance was created with (its tag; kept as created, see ignore_changes)."
  value       = try(aws_lightsail_instance.this.tags["build"], null)
}
