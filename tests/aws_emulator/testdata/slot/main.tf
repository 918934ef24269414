# A slot as terraform/modules/slot builds it: private bucket + reader user
# whose keys travel in user_data, the instance, its firewall, two objects.

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

variable "name" {
  type = string
}

variable "app" {
  type = string
}

variable "color" {
  type = string
}

variable "port" {
  type = number
}

resource "aws_s3_bucket" "artifact" {
  bucket_prefix = "${var.name}-"
  force_destroy = true
  tags          = { app = var.app, color = var.color }
}

resource "aws_s3_bucket_public_access_block" "artifact" {
  bucket                  = aws_s3_bucket.artifact.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_iam_user" "reader" {
  name          = aws_s3_bucket.artifact.bucket
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

resource "aws_lightsail_instance" "this" {
  name              = var.name
  availability_zone = "us-east-1a"
  blueprint_id      = "debian_12"
  bundle_id         = "nano_3_0"
  user_data         = "echo ${base64encode("KEY=${aws_iam_access_key.reader.id}")} | base64 -d > /root/boot"
  tags              = { app = var.app, color = var.color, build = "test" }

  depends_on = [aws_iam_user_policy.reader, aws_s3_bucket_public_access_block.artifact]

  lifecycle {
    ignore_changes = [user_data, tags]
  }
}

resource "aws_lightsail_instance_public_ports" "this" {
  instance_name = aws_lightsail_instance.this.name

  port_info {
    protocol  = "tcp"
    from_port = var.port
    to_port   = var.port
    cidrs     = ["0.0.0.0/0"]
  }

  lifecycle {
    replace_triggered_by = [aws_lightsail_instance.this.id]
  }
}

resource "aws_s3_object" "artifact" {
  bucket       = aws_s3_bucket.artifact.id
  key          = "${var.name}/artifact.deb"
  source       = "${path.module}/artifact.deb"
  content_type = "application/vnd.debian.binary-package"

  lifecycle {
    ignore_changes       = all
    replace_triggered_by = [aws_lightsail_instance.this.id]
  }
}

resource "aws_s3_object" "env" {
  bucket       = aws_s3_bucket.artifact.id
  key          = "${var.name}/env"
  content      = "XECUTOR_SLOT=\"${var.color}\"\n"
  content_type = "text/plain"

  lifecycle {
    ignore_changes       = all
    replace_triggered_by = [aws_lightsail_instance.this.id]
  }
}

output "instance_name" {
  value = aws_lightsail_instance.this.name
}

output "public_ip" {
  value = aws_lightsail_instance.this.public_ip_address
}

output "bucket" {
  value = aws_s3_bucket.artifact.bucket
}
