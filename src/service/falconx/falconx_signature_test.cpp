#include "falconx_signature.h"

#include <catch2/catch.hpp>

#include "base64.h"

using namespace xecutor;

namespace {
const std::string kSecret = "bW9jay1mYWxjb254LXNlY3JldC1rZXktMDEyMzQ1Njc4OQ==";
}

TEST_CASE("service: signature matches the reference test vectors exactly") {
  CHECK(falconx_signature(
            kSecret, {"1700000000", "GET", "/v1/quotes/00c884b056f949338788dfb59e495377", ""}) ==
        "WAtVR0Hv+KT6ipYTOrZKbbyMvT2wQN5dYmSSFns2TvI=");
  CHECK(falconx_signature(kSecret, {"1700000000.5", "GET", "/v1/balances?platform=api", ""}) ==
        "PYkatGZ46Kow7jzwFyvmbz/PC7V3QEQ47/B15j+HYrs=");
  const std::string body =
      R"({"token_pair":{"base_token":"BTC","quote_token":"USD"},"quantity":{"token":"BTC","value":"0.1"},)"
      R"("side":"two_way","client_order_id":null})";
  REQUIRE(body.size() == 136);
  CHECK(falconx_signature(kSecret, {"1700000000.123456", "POST", "/v3/quotes", body}) ==
        "1zkRQ+mpF+bmopXOolfbQC0kIeodcvCwhSIUZJ3ciSY=");
}

TEST_CASE("service: any changed byte changes the signature") {
  const auto base = falconx_signature(kSecret, {"1700000000", "POST", "/v3/quotes", "{}"});
  CHECK(falconx_signature(kSecret, {"1700000001", "POST", "/v3/quotes", "{}"}) != base);
  CHECK(falconx_signature(kSecret, {"1700000000", "post", "/v3/quotes", "{}"}) != base);
  CHECK(falconx_signature(kSecret, {"1700000000", "POST", "/v1/quotes", "{}"}) != base);
  CHECK(falconx_signature(kSecret, {"1700000000", "POST", "/v3/quotes", "{ }"}) != base);
}

TEST_CASE("service: Base64 decoding drops padding bytes and rejects bad text") {
  const auto key = base64_decode(kSecret);
  REQUIRE(key);
  CHECK(key->size() == 34);
  CHECK(*key == "mock-falconx-secret-key-0123456789");
  CHECK(base64_decode("YQ==") == std::optional<std::string>("a"));
  CHECK(base64_decode("YWI=") == std::optional<std::string>("ab"));
  CHECK(base64_decode("YWJj") == std::optional<std::string>("abc"));
  CHECK(base64_encode("ab") == "YWI=");
  CHECK_FALSE(base64_decode("abc"));   // not a multiple of 4
  CHECK_FALSE(base64_decode("ab$="));  // outside the alphabet
  CHECK_FALSE(falconx_signature("not base64!", {"1", "GET", "/", ""}));
}
