#include "falcon_xecutor/falconx/falconx_quote.h"

#include <nlohmann/json.hpp>

#include "falcon_xecutor/webhook/iso_time.h"

namespace xecutor {
namespace {

using nlohmann::json;

// Builds the DOM like json::parse does, except that every number is stored
// as its exact text (a JSON string): nlohmann would otherwise convert
// 30030.000000000001 to the double 30030. Integers arrive already converted,
// but 64-bit integers convert exactly, and larger ones come as floats with text.
class ExactNumberSax {
 public:
  explicit ExactNumberSax(json& root) : dom_(root, false) {}
  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return text(std::to_string(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return text(std::to_string(v)); }
  bool number_float(json::number_float_t /*rounded*/, const std::string& raw) { return text(raw); }
  bool string(std::string& v) { return dom_.string(v); }
  bool binary(json::binary_t& v) { return dom_.binary(v); }
  bool start_object(std::size_t n) { return dom_.start_object(n); }
  bool key(std::string& k) { return dom_.key(k); }
  bool end_object() { return dom_.end_object(); }
  bool start_array(std::size_t n) { return dom_.start_array(n); }
  bool end_array() { return dom_.end_array(); }
  bool parse_error(std::size_t pos, const std::string& token,
                   const nlohmann::detail::exception& e) {
    failed_ = true;
    return dom_.parse_error(pos, token, e);
  }
  bool failed() const { return failed_; }

 private:
  bool text(std::string raw) { return dom_.string(raw); }
  nlohmann::detail::json_sax_dom_parser<json> dom_;
  bool failed_ = false;
};

json parse_exact(const std::string& body) {
  json root;
  ExactNumberSax sax(root);
  const bool ok = json::sax_parse(body, &sax, json::input_format_t::json, false);
  if (!ok || sax.failed()) return json(json::value_t::discarded);
  return root;
}

std::string string_field(const json& j, const char* name) {
  const auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::string clip(const std::string& s) {
  constexpr std::size_t kMax = 200;
  return s.size() > kMax ? s.substr(0, kMax) + "..." : s;
}

// Absent or null: no value. Present: it must be an exact plain decimal.
using DecimalField = std::variant<std::optional<Decimal>, std::string>;
DecimalField decimal_field(const json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::optional<Decimal>{};
  if (!it->is_string())
    return std::string("FalconX ") + name + " is neither a number, a string nor null";
  auto parsed = Decimal::parse(it->get_ref<const std::string&>());
  if (const auto* why = std::get_if<std::string>(&parsed))
    return std::string("FalconX ") + name + ": " + *why;
  return std::optional<Decimal>(std::get<Decimal>(parsed));
}

// Reads each decimal field into its slot; the first malformed one is the error.
std::string read_decimals(const json& j, FalconxQuote& q) {
  const std::pair<const char*, std::optional<Decimal>*> prices[] = {
      {"buy_price", &q.buy_price},
      {"sell_price", &q.sell_price},
      {"price_executed", &q.price_executed}};
  for (const auto& [name, slot] : prices) {
    auto field = decimal_field(j, name);
    if (auto* why = std::get_if<std::string>(&field)) return *why;
    *slot = std::get<std::optional<Decimal>>(field);
  }
  if (const auto qr = j.find("quantity_requested"); qr != j.end() && qr->is_object()) {
    auto field = decimal_field(*qr, "value");
    if (auto* why = std::get_if<std::string>(&field)) return "quantity_requested: " + *why;
    q.quantity = std::get<std::optional<Decimal>>(field);
    q.quantity_token = string_field(*qr, "token");
  }
  return {};
}

}  // namespace

QuoteParse parse_falconx_quote(const std::string& body) {
  const json j = parse_exact(body);
  if (j.is_discarded() || !j.is_object())
    return "FalconX answered with something that is not a JSON object";
  if (const auto status = string_field(j, "status"); !status.empty() && status != "success")
    return "FalconX status '" + status + "': " + falconx_error_message(body);
  if (const auto err = j.find("error"); err != j.end() && !err->is_null())
    return "FalconX error: " + clip(err->dump());
  FalconxQuote q;
  q.fx_quote_id = string_field(j, "fx_quote_id");
  if (q.fx_quote_id.empty()) return "FalconX answer has no fx_quote_id";
  if (auto why = read_decimals(j, q); !why.empty()) return why;
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
