variable "static_ip_name" {
  description = "Name of the Lightsail static IP to attach."
  type        = string
}

variable "active_color" {
  description = "Color of the ACTIVE slot (the last color of deploy): where the static IP goes."
  type        = string
}

variable "instance_name" {
  description = "Instance of the ACTIVE slot."
  type        = string
}

variable "instance_arn" {
  description = "ARN of that instance. It embeds a unique id, so it changes when the instance is re-created under the same name."
  type        = string
}

variable "instance_holds_static_ip" {
  description = "Whether that instance already holds a static IP (its is_static_ip as of the last refresh): then nothing moves and no attestation is needed."
  type        = bool
}

variable "verified" {
  description = "The color whose health was just checked (root variable verified), or null."
  type        = string
  default     = null
}
