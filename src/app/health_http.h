#pragma once
// One request to a slot's or the static IP's health URL, as the gate and `status` make it:
// the --health-* timeout and TLS settings.
#include "xdeploy/app/app_options.h"
#include "xdeploy/http/http_get.h"

namespace xd {

HttpOptions health_http_options(const HealthOptions& health);

}  // namespace xd
