output "instance_name" {
  description = "Lightsail instance name (its id)."
  value       = aws_lightsail_instance.this.name
}

output "instance_arn" {
  description = "Instance ARN: contains a unique id, so it changes whenever the instance is re-created under the same name."
  value       = aws_lightsail_instance.this.arn
}

output "public_ip" {
  description = "The instance's own public IPv4 (the static IP once attached; refreshed on the next plan)."
  value       = aws_lightsail_instance.this.public_ip_address
}

output "health_url" {
  description = "Health URL straight to this slot."
  value       = "${var.health_scheme}://${aws_lightsail_instance.this.public_ip_address}:${var.port}${var.health_path}"
}

output "build_sha256" {
  description = "SHA-256 of the build this instance was created with (its tag; kept as created, see ignore_changes)."
  value       = try(aws_lightsail_instance.this.tags["build"], null)
}
