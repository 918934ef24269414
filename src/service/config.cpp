#include "config.h"

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "xdeploy/core/duration.h"

namespace xecutor {
namespace {

std::string value_or(const EnvLookup& env, const std::string& name, const std::string& fallback) {
  auto v = env(name);
  return v && !v->empty() ? *v : fallback;
}

// Comma or space separated list, empty items dropped.
std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(text);
  while (in >> item) {
    std::istringstream parts(item);
    std::string part;
    while (std::getline(parts, part, ','))
      if (!part.empty()) out.push_back(part);
  }
  return out;
}

double parse_number(const std::string& name, const std::string& text) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !std::isfinite(v))
    throw std::invalid_argument(name + " must be a number, got '" + text + "'");
  return v;
}

// Alert age, the shared claim store and the daily notional cap.
void load_once_settings(const EnvLookup& env, ServiceConfig& c) {
  if (auto age = env("XECUTOR_MAX_ALERT_AGE"); age && !age->empty()) {
    const auto d = xd::parse_duration(*age);
    if (!d || *d < std::chrono::seconds(1) || *d > std::chrono::hours(1))
      throw std::invalid_argument(
          "XECUTOR_MAX_ALERT_AGE must be a duration from 1s to 1h (\"30\", \"30s\", \"2m\"), got "
          "'" +
          *age + "'");
    c.max_alert_age = *d;
  }
  c.claim_store = load_claim_store_settings(env);
  if (auto cap = env("XECUTOR_MAX_DAILY_NOTIONAL"); cap && !cap->empty()) {
    const auto parsed = Decimal::parse(*cap);
    if (const auto* why = std::get_if<std::string>(&parsed))
      throw std::invalid_argument("XECUTOR_MAX_DAILY_NOTIONAL: " + *why);
    c.max_daily_notional = std::get<Decimal>(parsed);
    if (c.claim_store.kind == ClaimStoreSettings::Kind::None)
      throw std::invalid_argument(
          "XECUTOR_MAX_DAILY_NOTIONAL needs XECUTOR_CLAIM_STORE (the total is kept there)");
  }
}

Decimal parse_decimal(const std::string& name, const std::string& text) {
  auto parsed = Decimal::parse(text);
  if (const auto* why = std::get_if<std::string>(&parsed))
    throw std::invalid_argument(name + ": " + *why);
  return std::get<Decimal>(parsed);
}

// Basis points below 10000 (100 %), with at most 14 decimals so that
// 1 ± bps/10000 is exact.
Decimal parse_bps(const std::string& name, const std::string& text) {
  const Decimal bps = parse_decimal(name, text);
  if (bps >= Decimal::from_integer(10000) || bps.scale() > 14)
    throw std::invalid_argument(name + " must be basis points below 10000 with at most 14 " +
                                "decimals, got '" + text + "'");
  return bps;
}

// XECUTOR_PRICE_TOLERANCE_BPS, or the deprecated relative XECUTOR_PRICE_TOLERANCE
// converted exactly (0.001 -> 10 bps). Both set is ambiguous, so an error.
Decimal tolerance_bps(const EnvLookup& env, Decimal fallback) {
  const std::string bps = value_or(env, "XECUTOR_PRICE_TOLERANCE_BPS", "");
  const std::string relative = value_or(env, "XECUTOR_PRICE_TOLERANCE", "");
  if (!bps.empty() && !relative.empty())
    throw std::invalid_argument(
        "set XECUTOR_PRICE_TOLERANCE_BPS or the deprecated XECUTOR_PRICE_TOLERANCE, not both");
  if (!bps.empty()) return parse_bps("XECUTOR_PRICE_TOLERANCE_BPS", bps);
  if (relative.empty()) return fallback;
  const Decimal fraction = parse_decimal("XECUTOR_PRICE_TOLERANCE", relative);
  const auto converted = fraction.times(Decimal::from_integer(10000), Rounding::Exact);
  if (!converted || fraction >= Decimal::from_integer(1))
    throw std::invalid_argument("XECUTOR_PRICE_TOLERANCE must be in [0, 1), got '" + relative +
                                "'");
  return parse_bps("XECUTOR_PRICE_TOLERANCE", converted->to_string());
}

std::chrono::milliseconds parse_millis(const std::string& name, const std::string& text,
                                       std::chrono::milliseconds low,
                                       std::chrono::milliseconds high) {
  const auto d = xd::parse_duration(text);
  if (!d || *d < low || *d > high)
    throw std::invalid_argument(name + " must be a duration like 2.5s or 300ms in [" +
                                xd::duration_literal(low) + ", " + xd::duration_literal(high) +
                                "], got '" + text + "'");
  return *d;
}

// XECUTOR_ALERT_DEADLINE and XECUTOR_MIN_EXECUTE_TIME (README "Delivery").
void load_deadline_settings(const EnvLookup& env, ServiceConfig& c) {
  using std::chrono::milliseconds;
  if (auto d = value_or(env, "XECUTOR_ALERT_DEADLINE", ""); !d.empty()) {
    const auto parsed = xd::parse_duration(d);
    if (parsed && *parsed > kMaxAlertDeadline)
      throw std::invalid_argument(
          "XECUTOR_ALERT_DEADLINE=" + d + " is not below TradingView's 3 s timeout: at most " +
          xd::duration_literal(kMaxAlertDeadline) +
          " (nothing answered after 3 s reaches TradingView, and the network needs the rest)");
    c.alert_deadline =
        parse_millis("XECUTOR_ALERT_DEADLINE", d, milliseconds(100), kMaxAlertDeadline);
  }
  if (auto m = value_or(env, "XECUTOR_MIN_EXECUTE_TIME", ""); !m.empty())
    c.min_execute_time =
        parse_millis("XECUTOR_MIN_EXECUTE_TIME", m, milliseconds(0), milliseconds(60000));
  if (c.min_execute_time >= c.alert_deadline)
    throw std::invalid_argument(
        "XECUTOR_MIN_EXECUTE_TIME (" + xd::duration_literal(c.min_execute_time) +
        ") must be below XECUTOR_ALERT_DEADLINE (" + xd::duration_literal(c.alert_deadline) + ")");
}

// "BTC/USD,ETH/USD": each BASE/QUOTE of 2-10 upper-case letters or digits.
std::vector<std::string> parse_pairs(const std::string& text) {
  std::vector<std::string> pairs = split_list(text);
  for (const auto& p : pairs) {
    const auto slash = p.find('/');
    const bool ok =
        slash != std::string::npos && slash >= 2 && slash <= 10 && p.size() - slash - 1 >= 2 &&
        p.size() - slash - 1 <= 10 &&
        p.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/") == std::string::npos &&
        p.find('/', slash + 1) == std::string::npos;
    if (!ok)
      throw std::invalid_argument("XECUTOR_ALLOWED_PAIRS items must look like BTC/USD, got '" + p +
                                  "'");
  }
  return pairs;
}

}  // namespace

std::string ServiceConfig::refusal_reason() const {
  std::string missing;
  if (webhook_secret.empty()) missing += " XECUTOR_WEBHOOK_SECRET";
  if (falconx.api_key.empty()) missing += " FALCONX_API_KEY";
  if (falconx.secret_key.empty()) missing += " FALCONX_SECRET_KEY";
  if (falconx.passphrase.empty()) missing += " FALCONX_PASSPHRASE";
  if (execute && claim_store.kind == ClaimStoreSettings::Kind::None)
    missing += " XECUTOR_CLAIM_STORE (live mode never executes without a claim)";
  return missing.empty() ? "" : "missing" + missing;
}

ServiceConfig load_config(const EnvLookup& env) {
  ServiceConfig c;
  c.falconx.api_key = value_or(env, "FALCONX_API_KEY", "");
  c.falconx.secret_key = value_or(env, "FALCONX_SECRET_KEY", "");
  c.falconx.passphrase = value_or(env, "FALCONX_PASSPHRASE", "");
  c.falconx_base_url = value_or(env, "FALCONX_BASE_URL", c.falconx_base_url);
  while (!c.falconx_base_url.empty() && c.falconx_base_url.back() == '/')
    c.falconx_base_url.pop_back();
  c.webhook_secret = value_or(env, "XECUTOR_WEBHOOK_SECRET", "");

  const std::string execute = value_or(env, "XECUTOR_EXECUTE", "0");
  if (execute != "0" && execute != "1")
    throw std::invalid_argument("XECUTOR_EXECUTE must be 0 or 1, got '" + execute + "'");
  c.execute = execute == "1";

  c.price_band.tolerance_bps = tolerance_bps(env, c.price_band.tolerance_bps);
  if (auto dev = value_or(env, "XECUTOR_MAX_DEVIATION_BPS", ""); !dev.empty())
    c.price_band.max_deviation_bps = parse_bps("XECUTOR_MAX_DEVIATION_BPS", dev);
  if (c.price_band.max_deviation_bps < c.price_band.tolerance_bps)
    throw std::invalid_argument("XECUTOR_MAX_DEVIATION_BPS (" +
                                c.price_band.max_deviation_bps.to_string() +
                                ") must not be below the price tolerance (" +
                                c.price_band.tolerance_bps.to_string() + " bps)");
  if (auto pairs = env("XECUTOR_ALLOWED_PAIRS"); pairs) c.allowed_pairs = parse_pairs(*pairs);
  if (auto cap = value_or(env, "XECUTOR_MAX_ORDER_NOTIONAL", ""); !cap.empty())
    c.max_order_notional = parse_decimal("XECUTOR_MAX_ORDER_NOTIONAL", cap);
  const std::string halt = value_or(env, "XECUTOR_HALT", "0");
  if (halt != "0" && halt != "1")
    throw std::invalid_argument("XECUTOR_HALT must be 0 or 1, got '" + halt + "'");
  c.halt = halt == "1";
  c.halt_file = value_or(env, "XECUTOR_HALT_FILE", c.halt_file);
  using std::chrono::milliseconds;
  load_deadline_settings(env, c);
  if (auto m = value_or(env, "XECUTOR_EXPIRY_MARGIN", ""); !m.empty())
    c.expiry_margin =
        parse_millis("XECUTOR_EXPIRY_MARGIN", m, milliseconds(0), milliseconds(60000));
  if (auto w = env("XECUTOR_DEDUP_WINDOW"); w && !w->empty()) {
    const double secs = parse_number("XECUTOR_DEDUP_WINDOW", *w);
    if (secs < 0 || secs > 86400 || secs != std::floor(secs))
      throw std::invalid_argument(
          "XECUTOR_DEDUP_WINDOW must be whole seconds in [0, 86400], got '" + *w + "'");
    c.dedup_window = std::chrono::seconds(static_cast<long>(secs));
  }
  if (auto t = env("XECUTOR_FALCONX_TIMEOUT_MS"); t && !t->empty()) {
    const double ms = parse_number("XECUTOR_FALCONX_TIMEOUT_MS", *t);
    if (ms < 1 || ms > 60000 || ms != std::floor(ms))
      throw std::invalid_argument(
          "XECUTOR_FALCONX_TIMEOUT_MS must be whole ms in [1, 60000], got '" + *t + "'");
    c.falconx_timeout = std::chrono::milliseconds(static_cast<long>(ms));
  }
  load_once_settings(env, c);
  c.allowed_ips = split_list(value_or(env, "XECUTOR_ALLOWED_IPS", ""));
  c.trusted_proxies = split_list(value_or(env, "XECUTOR_TRUSTED_PROXIES", ""));
  return c;
}

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): read once at startup
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

}  // namespace xecutor
