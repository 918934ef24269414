output "attached_instance_name" {
  description = "Instance the static IP is attached to (read back from AWS on refresh)."
  value       = aws_lightsail_static_ip_attachment.this.instance_name
}
