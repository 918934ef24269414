#include "config.h"

#include <catch2/catch.hpp>
#include <map>

#include "support/fake_env.h"

using namespace xecutor;
using xd::testing::env_of;

TEST_CASE("service: defaults are paper mode, production URL, 10 bps tolerance, 60 s dedup") {
  const auto c = load_config(env_of({}));
  CHECK_FALSE(c.execute);
  CHECK(c.mode_name() == "paper");
  CHECK(c.falconx_base_url == "https://api.falconx.io");
  CHECK(c.price_band.tolerance_bps.to_string() == "10");
  CHECK(c.price_band.max_deviation_bps.to_string() == "500");
  CHECK(c.allowed_pairs == std::vector<std::string>{"BTC/USD", "ETH/USD"});
  CHECK(c.max_order_notional.to_string() == "10000");
  CHECK_FALSE(c.halt);
  CHECK(c.halt_file == "/etc/falcon-xecutor/HALT");
  CHECK(c.alert_deadline == std::chrono::milliseconds(2500));
  CHECK(c.expiry_margin == std::chrono::milliseconds(300));
  CHECK(c.dedup_window == std::chrono::seconds(60));
  CHECK(c.allowed_ips.empty());
  CHECK_THAT(c.refusal_reason(), Catch::Contains("XECUTOR_WEBHOOK_SECRET"));
  CHECK_THAT(c.refusal_reason(), Catch::Contains("FALCONX_API_KEY"));
}

TEST_CASE("service: full configuration is read") {
  const auto c = load_config(env_of({{"FALCONX_API_KEY", "k"},
                                     {"FALCONX_SECRET_KEY", "c2VjcmV0"},
                                     {"FALCONX_PASSPHRASE", "p"},
                                     {"FALCONX_BASE_URL", "http://127.0.0.1:9/"},
                                     {"XECUTOR_WEBHOOK_SECRET", "w"},
                                     {"XECUTOR_EXECUTE", "1"},
                                     {"XECUTOR_CLAIM_STORE", "file:/tmp/claims"},
                                     {"XECUTOR_PRICE_TOLERANCE", "0.005"},
                                     {"XECUTOR_DEDUP_WINDOW", "5"},
                                     {"XECUTOR_ALLOWED_IPS", "1.2.3.4, 5.6.7.8"},
                                     {"XECUTOR_TRUSTED_PROXIES", "127.0.0.1"}}));
  CHECK(c.execute);
  CHECK(c.mode_name() == "live");
  CHECK(c.falconx_base_url == "http://127.0.0.1:9");
  CHECK(c.price_band.tolerance_bps.to_string() == "50");
  CHECK(c.dedup_window == std::chrono::seconds(5));
  CHECK(c.allowed_ips == std::vector<std::string>{"1.2.3.4", "5.6.7.8"});
  CHECK(c.trusted_proxies == std::vector<std::string>{"127.0.0.1"});
  CHECK(c.refusal_reason().empty());
}

TEST_CASE("service: malformed settings stop startup with the variable's name") {
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_EXECUTE", "yes"}})),
                    Catch::Contains("XECUTOR_EXECUTE"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_PRICE_TOLERANCE", "1%"}})),
                    Catch::Contains("XECUTOR_PRICE_TOLERANCE"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_PRICE_TOLERANCE", "-0.1"}})),
                    Catch::Contains("XECUTOR_PRICE_TOLERANCE"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_PRICE_TOLERANCE", "0x1p-10"}})),
                    Catch::Contains("XECUTOR_PRICE_TOLERANCE"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_PRICE_TOLERANCE", "1"}})),
                    Catch::Contains("[0, 1)"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_PRICE_TOLERANCE_BPS", "1e1"}})),
                    Catch::Contains("XECUTOR_PRICE_TOLERANCE_BPS"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_PRICE_TOLERANCE_BPS", "10000"}})),
                    Catch::Contains("below 10000"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_PRICE_TOLERANCE_BPS", "10"},
                                        {"XECUTOR_PRICE_TOLERANCE", "0.001"}})),
                    Catch::Contains("not both"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_MAX_DEVIATION_BPS", "5"}})),
                    Catch::Contains("must not be below the price tolerance"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_MAX_ORDER_NOTIONAL", "-1"}})),
                    Catch::Contains("XECUTOR_MAX_ORDER_NOTIONAL"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_ALLOWED_PAIRS", "BTCUSD"}})),
                    Catch::Contains("XECUTOR_ALLOWED_PAIRS"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_HALT", "yes"}})),
                    Catch::Contains("XECUTOR_HALT"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_ALERT_DEADLINE", "soon"}})),
                    Catch::Contains("XECUTOR_ALERT_DEADLINE"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_EXPIRY_MARGIN", "2h"}})),
                    Catch::Contains("XECUTOR_EXPIRY_MARGIN"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_DEDUP_WINDOW", "1.5"}})),
                    Catch::Contains("XECUTOR_DEDUP_WINDOW"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_FALCONX_TIMEOUT_MS", "0"}})),
                    Catch::Contains("XECUTOR_FALCONX_TIMEOUT_MS"));
}

TEST_CASE("service: the deprecated relative tolerance converts to basis points exactly") {
  // As doubles, 0.0003 * 10000 is 2.9999999999999996.
  CHECK(load_config(env_of({{"XECUTOR_PRICE_TOLERANCE", "0.0003"}})).price_band.tolerance_bps ==
        Decimal::from_integer(3));
  CHECK(load_config(env_of({{"XECUTOR_PRICE_TOLERANCE", "0.00001"}}))
            .price_band.tolerance_bps.to_string() == "0.1");
  CHECK(load_config(env_of({{"XECUTOR_PRICE_TOLERANCE_BPS", "2.5"}}))
            .price_band.tolerance_bps.to_string() == "2.5");
}

TEST_CASE("service: limits, kill switch and deadlines are read") {
  const auto c = load_config(env_of({{"XECUTOR_ALLOWED_PAIRS", "BTC/EUR SOL/USDC"},
                                     {"XECUTOR_MAX_ORDER_NOTIONAL", "2500.50"},
                                     {"XECUTOR_HALT", "1"},
                                     {"XECUTOR_HALT_FILE", "/tmp/x/HALT"},
                                     {"XECUTOR_ALERT_DEADLINE", "1.5s"},
                                     {"XECUTOR_EXPIRY_MARGIN", "50ms"},
                                     {"XECUTOR_MAX_DEVIATION_BPS", "100"}}));
  CHECK(c.allowed_pairs == std::vector<std::string>{"BTC/EUR", "SOL/USDC"});
  CHECK(c.max_order_notional.to_string() == "2500.5");
  CHECK(c.halt);
  CHECK(c.halt_file == "/tmp/x/HALT");
  CHECK(c.alert_deadline == std::chrono::milliseconds(1500));
  CHECK(c.expiry_margin == std::chrono::milliseconds(50));
  CHECK(c.price_band.max_deviation_bps.to_string() == "100");
  CHECK(load_config(env_of({{"XECUTOR_ALLOWED_PAIRS", ""}})).allowed_pairs.empty());
}

TEST_CASE("config: alert age, daily cap, and live mode needs a claim store") {
  const auto d = load_config(env_of({}));
  CHECK(d.max_alert_age == std::chrono::seconds(30));
  CHECK_FALSE(d.max_daily_notional);
  const auto c = load_config(env_of({{"XECUTOR_MAX_ALERT_AGE", "2m"},
                                     {"XECUTOR_CLAIM_STORE", "file:/tmp/x"},
                                     {"XECUTOR_MAX_DAILY_NOTIONAL", "250000.50"}}));
  CHECK(c.max_alert_age == std::chrono::minutes(2));
  REQUIRE(c.max_daily_notional);
  CHECK(c.max_daily_notional->to_string() == "250000.5");
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_MAX_ALERT_AGE", "0"}})),
                    Catch::Contains("XECUTOR_MAX_ALERT_AGE"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_MAX_ALERT_AGE", "30 s"}})),
                    Catch::Contains("XECUTOR_MAX_ALERT_AGE"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_CLAIM_STORE", "file:/tmp/x"},
                                        {"XECUTOR_MAX_DAILY_NOTIONAL", "1e6"}})),
                    Catch::Contains("XECUTOR_MAX_DAILY_NOTIONAL"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_MAX_DAILY_NOTIONAL", "1000"}})),
                    Catch::Contains("needs XECUTOR_CLAIM_STORE"));
  const auto live = load_config(env_of({{"FALCONX_API_KEY", "k"},
                                        {"FALCONX_SECRET_KEY", "c2VjcmV0"},
                                        {"FALCONX_PASSPHRASE", "p"},
                                        {"XECUTOR_WEBHOOK_SECRET", "w"},
                                        {"XECUTOR_EXECUTE", "1"}}));
  CHECK_THAT(live.refusal_reason(), Catch::Contains("XECUTOR_CLAIM_STORE"));
}

TEST_CASE("config: XECUTOR_ALERT_DEADLINE stays below TradingView's 3 s; the execute's window") {
  CHECK(load_config(env_of({})).alert_deadline == std::chrono::milliseconds(2500));
  CHECK(load_config(env_of({})).min_execute_time == std::chrono::milliseconds(500));
  CHECK(load_config(env_of({{"XECUTOR_ALERT_DEADLINE", "2.9s"}})).alert_deadline ==
        std::chrono::milliseconds(2900));
  for (const char* too_long : {"3s", "2901ms", "60s"})
    CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_ALERT_DEADLINE", too_long}})),
                      Catch::Contains("not below TradingView's 3 s timeout") &&
                          Catch::Contains("at most 2900ms"));
  CHECK(load_config(env_of({{"XECUTOR_MIN_EXECUTE_TIME", "300ms"}})).min_execute_time ==
        std::chrono::milliseconds(300));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_MIN_EXECUTE_TIME", "soon"}})),
                    Catch::Contains("XECUTOR_MIN_EXECUTE_TIME"));
  CHECK_THROWS_WITH(
      load_config(env_of({{"XECUTOR_ALERT_DEADLINE", "1s"}, {"XECUTOR_MIN_EXECUTE_TIME", "1s"}})),
      Catch::Contains("must be below XECUTOR_ALERT_DEADLINE"));
}
