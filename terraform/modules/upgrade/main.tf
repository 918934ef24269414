# The gate in front of the static IP: the IP is attached to the active slot
# only through terraform_data.healthy, and that resource cannot be created or
# replaced for a slot nobody vouched for.
#
#   var.verified ──> terraform_data.healthy (precondition) ──> static IP attachment
#
# The health check itself is xdeploy's native gate (status, body and the
# slot's identity, straight to the slot). Terraform only records its result:
# xdeploy passes -var=verified=<color> after, and only after, that gate passed
# (a person running terraform by hand states which color they checked). So a
# plan never reads live health: it is deterministic, and a verb that does not
# move the IP needs no attestation at all, because the active instance
# already holds the static IP (is_static_ip, read on every refresh).

resource "terraform_data" "healthy" {
  # Its output feeds the attachment: pointing the IP at a slot goes through
  # this resource and therefore through the precondition.
  input = var.instance_name

  # Re-created (and re-checked) when the active instance is re-created under
  # the same name: the name does not change then, the ARN does.
  triggers_replace = var.instance_arn

  lifecycle {
    # Evaluated at plan time whenever the values are known: a missing or wrong
    # attestation fails the plan before anything is detached. When the active
    # instance is itself being created or replaced, is_static_ip is unknown
    # and the check runs during apply, after the instance exists and before
    # the attachment is created.
    precondition {
      condition     = var.verified == var.active_color || var.instance_holds_static_ip == true
      error_message = "Static IP not moved: ${var.active_color} has not been verified. xdeploy passes -var=verified=${var.active_color} only after its health gate passed; by hand, check ${var.active_color}'s health URL yourself and pass -var=verified=${var.active_color}."
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
