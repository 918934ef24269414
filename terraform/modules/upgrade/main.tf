# The gate in front of the static IP: the IP is attached to the active slot
# only through terraform_data.healthy, and that resource cannot be created or
# replaced unless the active slot answers its health check.
#
#   data.http.health ──> terraform_data.healthy (precondition) ──> static IP attachment
#
# When the slots have no pending changes (promote, rollback) the check is read
# at PLAN time: an unhealthy target fails the plan and nothing is detached.
# When a slot is being created or replaced in the same run, the check is read
# at apply time, after the slot is up (module depends_on in the root).

data "http" "health" {
  url = var.health_url

  # Per attempt (it sets the Go http.Client timeout); the retries below cover
  # a slot that is still booting: connection errors and 5xx are retried, a
  # 4xx is returned at once and fails the precondition.
  request_timeout_ms = 5000

  retry {
    attempts     = var.health_retry_attempts
    min_delay_ms = 2000
    max_delay_ms = 10000
  }
}

resource "terraform_data" "healthy" {
  # Its output feeds the attachment: pointing the IP at a slot goes through
  # this resource and therefore through the precondition.
  input = var.instance_name

  # Re-created (and re-checked) when the active instance is re-created under
  # the same name: the name does not change then, the ARN does.
  triggers_replace = var.instance_arn

  lifecycle {
    precondition {
      condition     = data.http.health.status_code == var.health_expected_status
      error_message = "Health check failed; static IP not moved."
    }
  }
}

resource "aws_lightsail_static_ip_attachment" "this" {
  static_ip_name = var.static_ip_name
  instance_name  = terraform_data.healthy.output

  lifecycle {
    # Provider issue #10143: when the instance is replaced under the same
    # name, instance_name does not change, the IP is detached with the old
    # instance and never re-attached. Re-creating the attachment whenever the
    # gate is re-created fixes that.
    #
    # No create_before_destroy: the attachment's delete detaches the static IP
    # from WHATEVER instance holds it, so with CBD the old attachment's delete
    # would detach the IP from the new slot right after it was attached.
    replace_triggered_by = [terraform_data.healthy]
  }
}
