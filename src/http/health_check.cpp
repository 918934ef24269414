#include "xdeploy/http/health_check.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace xd {
namespace {

// The raw identity the answer carries, whether or not it names a known color.
std::optional<std::string> raw_identity(const HttpResponse& response) {
  if (const auto it = response.headers.find("x-slot"); it != response.headers.end()) {
    return it->second;
  }
  const auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_object()) {
    const auto it = json.find("slot");
    if (it != json.end() && it->is_string()) return it->get<std::string>();
  }
  return std::nullopt;
}

}  // namespace

std::optional<Color> answered_slot(const HttpResponse& response) {
  const auto raw = raw_identity(response);
  return raw ? parse_color(*raw) : std::nullopt;
}

std::string judge_health(const HttpResponse& response, const HealthExpectation& expect) {
  if (!response.transport_ok()) return response.error;
  if (response.status != expect.status) {
    return fmt::format("status {} (expected {})", response.status, expect.status);
  }
  if (!expect.body_contains.empty() &&
      response.body.find(expect.body_contains) == std::string::npos) {
    return fmt::format("body does not contain \"{}\"", expect.body_contains);
  }
  if (!expect.slot) return {};
  const auto raw = raw_identity(response);
  if (!raw) return "no slot identity in the answer (X-Slot header or \"slot\" field)";
  const auto color = parse_color(*raw);
  if (!color)
    return fmt::format("unknown slot identity \"{}\" (expected {})", *raw, to_string(*expect.slot));
  if (*color != *expect.slot) {
    return fmt::format("answered as {} (expected {})", to_string(*color), to_string(*expect.slot));
  }
  return {};
}

}  // namespace xd
