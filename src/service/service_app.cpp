#include "service_app.h"

#include <nlohmann/json.hpp>

#include "falcon_xecutor/webhook/alert_freshness.h"
#include "falcon_xecutor/webhook/alert_header.h"
#include "falcon_xecutor/webhook/alert_identity.h"
#include "falcon_xecutor/webhook/order.h"
#include "falcon_xecutor/webhook/request_auth.h"
#include "falcon_xecutor/webhook/webhook_body.h"
#include "outcome.h"

namespace xecutor {
namespace {

std::string bearer_token(const std::string& authorization) {
  const std::string prefix = "Bearer ";
  return authorization.rfind(prefix, 0) == 0 ? authorization.substr(prefix.size()) : "";
}

struct Alert {
  AlertHeader header;
  Order order;
};

// The header lines (id:, time:) and the order, or the first bad line.
std::variant<Alert, OrderError> parse_alert(const std::vector<BodyLine>& lines) {
  const auto header = take_alert_header(lines);
  if (const auto* bad = std::get_if<OrderError>(&header)) return *bad;
  const auto& parts = std::get<AlertHeaderParse>(header);
  OrderParse order = parse_order(parts.order_lines);
  if (const auto* bad = std::get_if<OrderError>(&order)) return *bad;
  return Alert{parts.header, std::get<Order>(std::move(order))};
}

bool is_loopback(const std::string& address) {
  const std::string a = normalize_address(address);
  return a == "::1" || a.rfind("127.", 0) == 0;
}

}  // namespace

ServiceApp::ServiceApp(ServiceConfig config, Metrics& metrics, WallClock wall_clock,
                       const FalconxFactory& falconx)
    : config_(std::move(config)),
      metrics_(metrics),
      wall_clock_(std::move(wall_clock)),
      kill_switch_(config_.halt, config_.halt_file),
      dedup_(config_.dedup_window, std::chrono::steady_clock::now),
      claims_(make_claim_store(config_.claim_store)),
      falconx_(falconx ? falconx(orders_, metrics_) : connect_falconx(config_, orders_, metrics_)) {
  if (claims_ && config_.max_daily_notional) ledger_.emplace(*claims_, *config_.max_daily_notional);
}

WebhookReply ServiceApp::handle(const WebhookRequest& request) {
  WebhookReply r = process(request);
  metrics_.alert(r.outcome);
  return r;
}

WebhookReply ServiceApp::process(const WebhookRequest& request) {
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
    return with_client(
        refusal(Outcome::AddressRefused, "address " + auth.client + " is not allowed"));
  if (config_.webhook_secret.empty())
    return with_client(
        refusal(Outcome::NotConfigured, "orders refused: XECUTOR_WEBHOOK_SECRET is not set"));
  if (auth.verdict == AuthVerdict::SecretMissing)
    return with_client(refusal(Outcome::BadSecret, "missing (or repeated) 'secret: ...' line"));
  if (auth.verdict != AuthVerdict::Allowed)
    return with_client(refusal(Outcome::BadSecret, "wrong secret"));

  const auto parsed = parse_alert(body.lines);
  if (const auto* bad = std::get_if<OrderError>(&parsed))
    return with_client(refusal(Outcome::BadOrder, bad->message()));
  const auto& [header, order] = std::get<Alert>(parsed);
  if (config_.execute && !header.time)
    return with_client(refusal(
        Outcome::TimeRequired,
        "live mode needs the alert's 'time: {{timenow}}' line (README \"Alert template\"): "
        "TradingView resends the same bytes after a 5xx, and without time: a resend cannot be "
        "told from a new alert. Add the line to the alert's message; nothing was sent to FalconX"));
  if (const std::string why = config_.refusal_reason(); !why.empty())
    return with_client(refusal(Outcome::NotConfigured, "orders refused: " + why));

  if (kill_switch_.halted()) {
    metrics_.limit_hit("halt");
    return with_client(
        refusal(Outcome::Halted, "orders refused: halted (" + kill_switch_.reason() + ")"));
  }
  if (auto r = pair_refusal(order, config_.allowed_pairs)) {
    metrics_.limit_hit(r->limit);
    return with_client(refusal(outcome_named(r->code), r->message));
  }
  if (auto r = notional_refusal(order.amount, order.expected_price, config_.max_order_notional,
                                "expected")) {
    metrics_.limit_hit(r->limit);
    return with_client(refusal(outcome_named(r->code), r->message));
  }

  const auto now = wall_clock_();
  if (const auto stale = judge_alert_time(header.time, now, config_.max_alert_age)) {
    metrics_.claim_refused(stale->outcome);
    return with_client(refusal(outcome_named(stale->outcome), stale->message));
  }
  const std::string identity = alert_identity(order, header, now);
  if (!dedup_.reserve(identity)) {
    metrics_.claim_refused("duplicate");
    return with_client(refusal(Outcome::Duplicate,
                               "alert " + identity + " already received within the dedup window"));
  }
  Reservation reservation(dedup_, identity);
  // The deadline counts from when the connection was accepted (its wait for a
  // worker included); a request handed in without that time starts now.
  const auto accepted_at = request.accepted_at == std::chrono::steady_clock::time_point{}
                               ? std::chrono::steady_clock::now()
                               : request.accepted_at;
  const TradeParts parts{config_,
                         *falconx_,
                         metrics_,
                         orders_,
                         wall_clock_,
                         claims_.get(),
                         ledger_ ? &*ledger_ : nullptr};
  return with_client(Trade(parts, order, identity, reservation,
                           Deadline(accepted_at, config_.alert_deadline, config_.falconx_timeout))
                         .run());
}

WebhookReply ServiceApp::order_status(const std::string& identity,
                                      const std::string& authorization) const {
  if (config_.webhook_secret.empty())
    return refusal(Outcome::NotConfigured, "XECUTOR_WEBHOOK_SECRET is not set");
  if (!secret_matches(config_.webhook_secret, bearer_token(authorization)))
    return refusal(Outcome::BadSecret, "Authorization: Bearer <webhook secret> required");
  const auto record = orders_.find(identity);
  if (!record) return refusal(Outcome::UnknownOrder, "no live order known for " + identity);
  return answer(Outcome::OrderFound, *record);
}

bool ServiceApp::metrics_allowed(const WebhookRequest& request,
                                 const std::string& authorization) const {
  const bool direct_loopback =
      is_loopback(request.peer) && request.x_real_ip.empty() && request.x_forwarded_for.empty();
  return direct_loopback || (!config_.webhook_secret.empty() &&
                             secret_matches(config_.webhook_secret, bearer_token(authorization)));
}

}  // namespace xecutor
