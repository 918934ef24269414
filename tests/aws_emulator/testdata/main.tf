# The emulator's test configuration: the same resource types, arguments and
# lifecycle rules as terraform/modules/slot and the static IP in terraform/,
# small enough to apply in seconds. One slot per color in var.colors; the
# static IP is attached to var.attached_to ("" = not attached).

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

variable "app" {
  type    = string
  default = "emu"
}

variable "colors" {
  type    = set(string)
  default = ["blue"]
}

variable "attached_to" {
  type    = string
  default = "blue"
}

variable "service_port" {
  type = number
}

module "slot" {
  source   = "./slot"
  for_each = var.colors

  name  = "${var.app}-${each.key}"
  app   = var.app
  color = each.key
  port  = var.service_port
}

resource "aws_lightsail_static_ip" "this" {
  name = "${var.app}-ip"
}

resource "aws_lightsail_static_ip_attachment" "this" {
  count          = var.attached_to == "" ? 0 : 1
  static_ip_name = aws_lightsail_static_ip.this.name
  instance_name  = module.slot[var.attached_to].instance_name
}

output "static_ip" {
  value = aws_lightsail_static_ip.this.ip_address
}

output "slots" {
  value = { for c, s in module.slot : c => { public_ip = s.public_ip, bucket = s.bucket } }
}
