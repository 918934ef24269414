variable "static_ip_name" {
  description = "Name of the Lightsail static IP to attach."
  type        = string
}

variable "instance_name" {
  description = "Instance of the ACTIVE slot (the last color of deploy): where the static IP goes."
  type        = string
}

variable "instance_arn" {
  description = "ARN of that instance. It embeds a unique id, so it changes when the instance is re-created under the same name."
  type        = string
}

variable "health_url" {
  description = "Health URL straight to the active slot (not through the static IP)."
  type        = string

  validation {
    condition     = can(regex("^https?://", var.health_url))
    error_message = "health_url must be an http:// or https:// URL."
  }
}

variable "health_expected_status" {
  description = "Status the health endpoint must return for the static IP to move."
  type        = number
  default     = 200
}

variable "health_retry_attempts" {
  description = "Retries of the health request (2-10 s apart) while the slot boots."
  type        = number
  default     = 60
}
