// The webhook flow in-process, in front of the trade: every refusal the app
// gives before anything reaches FalconX (README "Endpoints"), with its status
// and word, and the proof that FalconX was never asked; then a paper quote
// through the whole flow. The trade's own outcomes are in trade_test.cpp.
#include "service_app.h"

#include <catch2/catch.hpp>

#include "fake_falconx_port.h"
#include "falcon_xecutor/webhook/iso_time.h"
#include "service/service_secrets.h"

using namespace xecutor;
using namespace std::chrono_literals;
using nlohmann::json;
using xd::testing::FakeFalconx;
using xd::testing::falconx_answers;
using xd::testing::falconx_quote;
using xd::testing::kBuy;
using xd::testing::kHookSecret;

namespace {

const auto kNow = *parse_iso8601("2026-05-01T12:00:00Z");

// A configured paper-mode app with a scripted FalconX; `fx` stays the app's.
struct AppWorld {
  ServiceConfig config;
  Metrics metrics;
  FakeFalconx* fx = nullptr;
  std::unique_ptr<ServiceApp> app;

  AppWorld() {
    config.falconx = {xd::testing::kApiKey, xd::testing::kFxSecret, xd::testing::kPassphrase};
    config.webhook_secret = kHookSecret;
    config.halt_file = "/nonexistent/falcon-xecutor-test/HALT";
    config.slot = "green";
  }
  ServiceApp& start() {
    app = std::make_unique<ServiceApp>(
        config, metrics, [] { return kNow; },
        [this](OrderBook&, Metrics&) {
          auto fake = std::make_unique<FakeFalconx>();
          fx = fake.get();
          return fake;
        });
    return *app;
  }
  WebhookReply post(const std::string& body, const std::string& peer = "203.0.113.9") {
    if (!app) start();
    return app->handle({peer, "", "", body});
  }
};

// The answer's status and word (also the JSON outcome and code), and its error text.
std::string refused(const WebhookReply& r, int status, const std::string& word) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(r.outcome == word);
  const json b = json::parse(r.body);
  CHECK(b["outcome"] == word);
  CHECK(b["code"] == word);
  return b.value("error", "");
}

}  // namespace

TEST_CASE("service app: refusals before the quote send nothing to FalconX") {
  struct Case {
    const char* name;
    std::function<void(AppWorld&)> setup;
    std::string body;
    int status;
    const char* word;
    const char* error;
  };
  const std::vector<Case> cases{
      {"address not allowed", [](AppWorld& w) { w.config.allowed_ips = {"52.89.214.238"}; }, kBuy,
       401, "address_refused", "address 203.0.113.9 is not allowed"},
      {"no webhook secret configured", [](AppWorld& w) { w.config.webhook_secret.clear(); }, kBuy,
       503, "not_configured", "XECUTOR_WEBHOOK_SECRET is not set"},
      {"secret line missing", [](AppWorld&) {}, "BUY\n0.1 BTC\n30000 USD\n", 401, "bad_secret",
       "missing"},
      {"wrong secret", [](AppWorld&) {}, "BUY\n0.1 BTC\n30000 USD\nsecret: guess\n", 401,
       "bad_secret", "wrong secret"},
      {"malformed order", [](AppWorld&) {},
       "BUY\n0.1 BTC\n30000 usd\nsecret: " + kHookSecret + "\n", 400, "bad_order", "line 3"},
      {"FalconX keys missing", [](AppWorld& w) { w.config.falconx = {}; }, kBuy, 503,
       "not_configured", "FALCONX_API_KEY"},
      {"kill switch on", [](AppWorld& w) { w.config.halt = true; }, kBuy, 503, "halted", "halted"},
      {"pair not allowed", [](AppWorld& w) { w.config.allowed_pairs = {"ETH/USD"}; }, kBuy, 403,
       "pair_not_allowed", "BTC/USD"},
      {"notional at the expected price over the cap",
       [](AppWorld& w) { w.config.max_order_notional = Decimal::from_integer(2999); }, kBuy, 422,
       "order_notional_exceeded", "expected"},
      {"alert older than XECUTOR_MAX_ALERT_AGE", [](AppWorld&) {},
       "BUY\n0.1 BTC\n30000 USD\ntime: 2026-05-01T11:59:00Z\nsecret: " + kHookSecret + "\n", 409,
       "alert_too_old", "replay"},
      {"alert from the future", [](AppWorld&) {},
       "BUY\n0.1 BTC\n30000 USD\ntime: 2026-05-01T12:00:06Z\nsecret: " + kHookSecret + "\n", 409,
       "alert_from_future", "in the future"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    AppWorld w;
    c.setup(w);
    const std::string error = refused(w.post(c.body), c.status, c.word);
    CHECK_THAT(error, Catch::Contains(c.error));
    CHECK(w.fx->sent.empty());
  }
}

TEST_CASE("service app: live mode without a claim store refuses every order 503") {
  AppWorld w;
  w.config.execute = true;
  const std::string error = refused(
      w.post("BUY\n0.1 BTC\n30000 USD\ntime: 2026-05-01T12:00:00Z\nsecret: " + kHookSecret + "\n"),
      503, "not_configured");
  CHECK_THAT(error, Catch::Contains("XECUTOR_CLAIM_STORE"));
  CHECK(w.fx->sent.empty());
}

TEST_CASE("service app: live mode refuses an alert without its time: line 400, paper mode not") {
  AppWorld live;
  live.config.execute = true;
  const std::string error = refused(live.post(kBuy), 400, "time_required");
  CHECK_THAT(error, Catch::Contains("'time: {{timenow}}'") &&
                        Catch::Contains("nothing was sent to FalconX"));
  CHECK(live.fx->sent.empty());

  AppWorld paper;
  paper.start();
  paper.fx->quote_answers.push_back(
      falconx_answers(200, falconx_quote("30010", "29990", "2026-05-01T12:00:10Z")));
  CHECK(paper.post(kBuy).outcome == "quoted");
}

TEST_CASE("service app: a paper quote goes through the whole flow, its resend is a duplicate") {
  AppWorld w;
  w.start();
  w.fx->quote_answers.push_back(
      falconx_answers(200, falconx_quote("30010", "29990", "2026-05-01T12:00:10Z")));
  const WebhookReply first = w.post(kBuy);
  CHECK(first.status == 200);
  CHECK(first.outcome == "quoted");
  CHECK(first.client == "203.0.113.9");
  const json b = json::parse(first.body);
  REQUIRE(w.fx->calls() == std::vector<std::string>{"quote v3"});
  CHECK(w.fx->sent[0].body["client_order_id"] == b["alert_id"]);

  const std::string error = refused(w.post(kBuy), 409, "duplicate");
  CHECK_THAT(error, Catch::Contains(b["alert_id"].get<std::string>()));
  CHECK(w.fx->sent.size() == 1);
}

TEST_CASE("service app: a refused quote frees the alert, so the resend is quoted afresh") {
  AppWorld w;
  w.start();
  w.fx->quote_answers.push_back(falconx_answers(503, {{"message", "maintenance"}}));
  w.fx->quote_answers.push_back(
      falconx_answers(200, falconx_quote("30010", "29990", "2026-05-01T12:00:10Z")));
  refused(w.post(kBuy), 502, "falconx_error");
  CHECK(w.post(kBuy).outcome == "quoted");
  CHECK(w.fx->sent.size() == 2);
}
