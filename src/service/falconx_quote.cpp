#include "service/falconx_quote.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "service/iso_time.h"

namespace xecutor {
namespace {

using nlohmann::json;

std::optional<double> price_field(const json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    std::size_t used = 0;
    try {
      const double v = std::stod(s, &used);
      if (used == s.size() && std::isfinite(v)) return v;
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

std::string string_field(const json& j, const char* name) {
  const auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::string clip(const std::string& s) {
  constexpr std::size_t kMax = 200;
  return s.size() > kMax ? s.substr(0, kMax) + "..." : s;
}

}  // namespace

QuoteParse parse_falconx_quote(const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return "FalconX answered with something that is not a JSON object";
  if (const auto status = string_field(j, "status"); !status.empty() && status != "success")
    return "FalconX status '" + status + "': " + falconx_error_message(body);
  if (const auto err = j.find("error"); err != j.end() && !err->is_null())
    return "FalconX error: " + clip(err->dump());
  FalconxQuote q;
  q.fx_quote_id = string_field(j, "fx_quote_id");
  if (q.fx_quote_id.empty()) return "FalconX answer has no fx_quote_id";
  q.buy_price = price_field(j, "buy_price");
  q.sell_price = price_field(j, "sell_price");
  q.price_executed = price_field(j, "price_executed");
  q.t_expiry_text = string_field(j, "t_expiry");
  if (!q.t_expiry_text.empty()) q.t_expiry = parse_iso8601(q.t_expiry_text);
  if (const auto f = j.find("is_filled"); f != j.end() && f->is_boolean())
    q.is_filled = f->get<bool>();
  q.side_executed = string_field(j, "side_executed");
  return q;
}

std::string falconx_error_message(const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_object()) {
    if (auto m = string_field(j, "message"); !m.empty()) return clip(m);
    const auto code = string_field(j, "code");
    const auto reason = string_field(j, "reason");
    if (!code.empty() || !reason.empty()) return clip(code + (code.empty() ? "" : ": ") + reason);
  }
  return body.empty() ? "(empty body)" : clip(body);
}

}  // namespace xecutor
