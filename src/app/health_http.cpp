#include "health_http.h"

#include "xdeploy/http/health_check.h"

namespace xd {

HttpOptions health_http_options(const HealthOptions& health) {
  HttpOptions http;
  http.timeout = health.request_timeout;
  http.insecure = health.insecure;
  http.ca_file = health.ca_file;
  http.server_name = health.server_name;
  return http;
}

std::optional<Color> unrecorded_holder(const ClusterState& s, const HealthOptions& health) {
  if (!s.deployment.detached_pair || !s.public_health_url || !s.static_ip) return std::nullopt;
  const auto who = answered_slot(http_get(*s.public_health_url, health_http_options(health)));
  if (!who || !s.slots.contains(*who)) return std::nullopt;
  return who;
}

}  // namespace xd
