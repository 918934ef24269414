#include "health_http.h"

namespace xd {

HttpOptions health_http_options(const HealthOptions& health) {
  HttpOptions http;
  http.timeout = health.request_timeout;
  http.insecure = health.insecure;
  http.ca_file = health.ca_file;
  http.server_name = health.server_name;
  return http;
}

}  // namespace xd
