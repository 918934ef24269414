#include "service/config.h"

#include <catch2/catch.hpp>
#include <map>

using namespace xecutor;

namespace {
EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}
}  // namespace

TEST_CASE("service: defaults are paper mode, production URL, 0.001 tolerance, 60 s dedup") {
  const auto c = load_config(env_of({}));
  CHECK_FALSE(c.execute);
  CHECK(c.mode_name() == "paper");
  CHECK(c.falconx_base_url == "https://api.falconx.io");
  CHECK(c.price_tolerance == 0.001);
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
  CHECK(c.price_tolerance == 0.005);
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
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_DEDUP_WINDOW", "1.5"}})),
                    Catch::Contains("XECUTOR_DEDUP_WINDOW"));
  CHECK_THROWS_WITH(load_config(env_of({{"XECUTOR_FALCONX_TIMEOUT_MS", "0"}})),
                    Catch::Contains("XECUTOR_FALCONX_TIMEOUT_MS"));
}
