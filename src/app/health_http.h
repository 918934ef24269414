#pragma once
// One request to a slot's or the static IP's health URL, as the gate and `status` make it:
// the --health-* timeout and TLS settings.
#include <optional>

#include "xdeploy/app/app_options.h"
#include "xdeploy/core/cluster_state.h"
#include "xdeploy/http/http_get.h"

namespace xd {

HttpOptions health_http_options(const HealthOptions& health);

// A move interrupted just after Lightsail attached the static IP (the provider was cancelled
// while waiting for AttachStaticIp's answer) leaves a state with no attachment while the IP
// serves the new slot: the state says "attached to neither", the world says otherwise. Only
// then (one request) the public address is asked who holds it; nullopt: the state is right,
// or nobody answered as a slot of `s`.
std::optional<Color> unrecorded_holder(const ClusterState& s, const HealthOptions& health);

}  // namespace xd
