#include "service/service_app.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "service/falconx_quote.h"
#include "service/order.h"
#include "service/request_auth.h"
#include "service/structured_log.h"
#include "service/tolerance.h"
#include "service/webhook_body.h"

namespace xecutor {
namespace {

using nlohmann::ordered_json;
using Transport = FalconxResponse::Transport;

WebhookReply reply(int status, std::string outcome, ordered_json body) {
  WebhookReply r;
  r.status = status;
  body["outcome"] = outcome;
  r.outcome = std::move(outcome);
  if (const auto id = body.find("fx_quote_id"); id != body.end() && id->is_string())
    r.quote_id = *id;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

WebhookReply error(int status, std::string outcome, const std::string& message) {
  return reply(status, std::move(outcome), ordered_json{{"error", message}});
}

// The dedup key: a digest of the body as sent, so the secret is not kept in memory twice.
std::string alert_key(const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(body.data(), body.size(), digest, &len, EVP_sha256(), nullptr);
  return {reinterpret_cast<const char*>(digest), len};
}

std::string quote_request_body(const Order& o) {
  ordered_json j;
  j["token_pair"] = {{"base_token", o.base}, {"quote_token", o.quote}};
  j["quantity"] = {{"token", o.base}, {"value", o.amount}};
  j["side"] = side_lower(o.side);
  j["client_order_id"] = nullptr;
  return j.dump();
}

std::string transport_words(const FalconxResponse& r) {
  switch (r.transport) {
    case Transport::NotSent:
      return "FalconX unreachable: " + r.error;
    case Transport::Timeout:
      return "FalconX timed out: " + r.error;
    case Transport::Failed:
      return "FalconX connection failed: " + r.error;
    case Transport::Answered:
      break;
  }
  return "FalconX HTTP " + std::to_string(r.status) + ": " + falconx_error_message(r.body);
}

// Releases the dedup reservation unless told the request went far enough to keep it.
class Reservation {
 public:
  Reservation(DedupWindow& window, std::string key) : window_(window), key_(std::move(key)) {}
  ~Reservation() {
    if (!keep_) window_.release(key_);
  }
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
  void keep() { keep_ = true; }

 private:
  DedupWindow& window_;
  std::string key_;
  bool keep_ = false;
};

struct TradeSettings {
  const FalconxClient& falconx;
  bool execute;
  double tolerance;
  const ServiceApp::WallClock& now;
};

WebhookReply fail(int status, std::string outcome, ordered_json info, const std::string& message) {
  info["error"] = message;
  return reply(status, std::move(outcome), std::move(info));
}

// An execute that may have reached FalconX but whose answer we do not have.
// Never retried: a second execute could double the trade.
WebhookReply execute_unknown(ordered_json info, const std::string& why) {
  const std::string id = info["fx_quote_id"];
  log_event(spdlog::level::critical,
            {{"event", "execute_outcome_unknown"},
             {"fx_quote_id", id},
             {"reason", why},
             {"action", "check FalconX for this quote before anything else; not retried"}});
  info["executed"] = nullptr;
  return fail(502, "execute_unknown", std::move(info),
              "execute outcome UNKNOWN (" + why + "); not retried, check FalconX for quote " + id);
}

WebhookReply execute(const TradeSettings& s, const std::string& api, const Order& order,
                     ordered_json info, Reservation& reservation) {
  const std::string id = info["fx_quote_id"];
  const std::string body =
      ordered_json{{"fx_quote_id", id}, {"side", side_lower(order.side)}}.dump();
  log_event(spdlog::level::warn, {{"event", "execute_sent"},
                                  {"fx_quote_id", id},
                                  {"side", side_lower(order.side)},
                                  {"amount", order.amount},
                                  {"base", order.base},
                                  {"quote", order.quote}});
  const FalconxResponse e = s.falconx.post("/" + api + "/quotes/execute", body);
  if (e.transport == Transport::NotSent) {
    info["executed"] = false;
    return fail(502, "falconx_error", std::move(info),
                "execute not sent, nothing executed: " + transport_words(e));
  }
  reservation.keep();  // FalconX may have seen it: a duplicate must not trade again
  if (e.transport != Transport::Answered || e.status >= 500)
    return execute_unknown(std::move(info), transport_words(e));
  if (e.status != 200) {
    info["executed"] = false;
    return fail(502, "execute_rejected", std::move(info), "execute refused: " + transport_words(e));
  }
  const QuoteParse parsed = parse_falconx_quote(e.body);
  if (const auto* why = std::get_if<std::string>(&parsed))
    return execute_unknown(std::move(info), *why);
  const auto& done = std::get<FalconxQuote>(parsed);
  if (!done.is_filled) {
    info["executed"] = false;
    return fail(502, "execute_not_filled", std::move(info),
                "FalconX answered the execute with is_filled=false");
  }
  info["executed"] = true;
  info["price_executed"] =
      done.price_executed ? ordered_json(*done.price_executed) : ordered_json(nullptr);
  info["side_executed"] = done.side_executed;
  log_event(
      spdlog::level::warn,
      {{"event", "executed"}, {"fx_quote_id", id}, {"price_executed", info["price_executed"]}});
  return reply(200, "executed", std::move(info));
}

WebhookReply trade(const TradeSettings& s, const Order& order, Reservation& reservation) {
  ordered_json info{{"mode", s.execute ? "live" : "paper"},
                    {"side", side_lower(order.side)},
                    {"amount", order.amount},
                    {"base", order.base},
                    {"quote", order.quote},
                    {"expected_price", order.expected_price}};
  const std::string request = quote_request_body(order);
  std::string api = "v3";
  FalconxResponse q = s.falconx.post("/v3/quotes", request);
  if (q.transport == Transport::Answered && q.status == 404) {  // an account or host without v3
    api = "v1";
    q = s.falconx.post("/v1/quotes", request);
  }
  info["falconx_api"] = api;
  if (q.transport != Transport::Answered || q.status != 200)
    return fail(502, "falconx_error", std::move(info), "quote failed: " + transport_words(q));
  const QuoteParse parsed = parse_falconx_quote(q.body);
  if (const auto* why = std::get_if<std::string>(&parsed))
    return fail(502, "falconx_error", std::move(info), "quote failed: " + *why);
  const auto& quote = std::get<FalconxQuote>(parsed);
  info["fx_quote_id"] = quote.fx_quote_id;
  info["t_expiry"] = quote.t_expiry_text;
  const auto price = order.side == Side::Buy ? quote.buy_price : quote.sell_price;
  if (!price)
    return fail(502, "falconx_error", std::move(info),
                "quote has no " + side_lower(order.side) + "_price");
  const PriceCheck check = check_price(order.side, *price, order.expected_price, s.tolerance);
  info["quoted_price"] = *price;
  info["price_limit"] = check.limit;
  info["executed"] = false;
  if (!check.acceptable) {
    const std::string why = "quoted " + side_lower(order.side) + " price " +
                            info["quoted_price"].dump() + " is beyond the limit " +
                            info["price_limit"].dump();
    return fail(422, "price_out_of_tolerance", std::move(info), why);
  }
  if (!quote.t_expiry)
    return fail(502, "falconx_error", std::move(info), "quote has no valid t_expiry");
  if (s.now() >= *quote.t_expiry)
    return fail(422, "quote_expired", std::move(info), "quote expired at " + quote.t_expiry_text);
  if (!s.execute) {
    reservation.keep();
    return reply(200, "quoted", std::move(info));
  }
  return execute(s, api, order, std::move(info), reservation);
}

}  // namespace

ServiceApp::ServiceApp(ServiceConfig config, WallClock wall_clock)
    : config_(std::move(config)),
      wall_clock_(std::move(wall_clock)),
      dedup_(config_.dedup_window, std::chrono::steady_clock::now),
      falconx_(config_.falconx, config_.falconx_base_url, config_.falconx_timeout) {}

WebhookReply ServiceApp::handle(const WebhookRequest& request) {
  const WebhookBody body = split_webhook_body(request.body);
  const AddressPolicy policy{config_.allowed_ips, config_.trusted_proxies};
  const AuthDecision auth = decide_auth(policy, config_.webhook_secret,
                                        {request.peer, request.x_real_ip, request.x_forwarded_for,
                                         body.secret ? &*body.secret : nullptr});
  auto with_client = [&auth](WebhookReply r) {
    r.client = auth.client;
    return r;
  };
  if (auth.verdict == AuthVerdict::AddressRefused)
    return with_client(error(401, "address_refused", "address " + auth.client + " is not allowed"));
  if (config_.webhook_secret.empty())
    return with_client(
        error(503, "not_configured", "orders refused: XECUTOR_WEBHOOK_SECRET is not set"));
  if (auth.verdict == AuthVerdict::SecretMissing)
    return with_client(error(401, "bad_secret", "missing (or repeated) 'secret: ...' line"));
  if (auth.verdict != AuthVerdict::Allowed)
    return with_client(error(401, "bad_secret", "wrong secret"));

  const OrderParse parsed = parse_order(body.lines);
  if (const auto* bad = std::get_if<OrderError>(&parsed))
    return with_client(error(400, "bad_order", bad->message()));
  const Order& order = std::get<Order>(parsed);
  if (!config_.falconx.complete())
    return with_client(error(503, "not_configured", "orders refused: " + config_.refusal_reason()));

  const std::string key = alert_key(request.body);
  if (!dedup_.reserve(key))
    return with_client(
        error(409, "duplicate", "same alert already received within the dedup window"));
  Reservation reservation(dedup_, key);
  return with_client(
      trade({falconx_, config_.execute, config_.price_tolerance, wall_clock_}, order, reservation));
}

}  // namespace xecutor
