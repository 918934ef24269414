#include "falcon_xecutor/falconx/falconx_quote.h"

#include <catch2/catch.hpp>

#include "falcon_xecutor/webhook/iso_time.h"

using namespace xecutor;
using namespace std::chrono;

TEST_CASE("service: the real 2023 quote (string prices, nulls) parses") {
  const std::string body =
      R"({"buy_price":null,"client_order_id":null,"error":null,"fx_quote_id":"8478fd356cf14b678754c4763eaba6b6",)"
      R"("is_filled":false,"sell_price":"26153.1","side_requested":"sell","status":"success",)"
      R"("t_expiry":"2023-09-25T02:49:19.306583+00:00","t_quote":"2023-09-25T02:49:17.306553+00:00","warnings":[]})";
  const auto r = parse_falconx_quote(body);
  REQUIRE(std::holds_alternative<FalconxQuote>(r));
  const auto& q = std::get<FalconxQuote>(r);
  CHECK(q.fx_quote_id == "8478fd356cf14b678754c4763eaba6b6");
  CHECK_FALSE(q.buy_price);
  REQUIRE(q.sell_price);
  CHECK(q.sell_price->to_string() == "26153.1");
  CHECK_FALSE(q.is_filled);
  REQUIRE(q.t_expiry);
  CHECK(duration_cast<microseconds>(q.t_expiry->time_since_epoch()).count() == 1695610159306583LL);
}

TEST_CASE("service: the documented execute example (number prices) parses") {
  const std::string body =
      R"({"buy_price":294.0,"error":null,"fx_quote_id":"fad0ac687b1e439a92a0bafd92441e48","is_filled":true,)"
      R"("price_executed":294.0,"sell_price":293.94,"side_executed":"buy","status":"success",)"
      R"("t_expiry":"2019-07-03T21:45:17.198692+00:00"})";
  const auto q = std::get<FalconxQuote>(parse_falconx_quote(body));
  CHECK(q.buy_price->to_string() == "294");
  CHECK(q.price_executed->to_string() == "294");
  CHECK(q.sell_price->to_string() == "293.94");
  CHECK(q.is_filled);
  CHECK(q.side_executed == "buy");
}

TEST_CASE("service: failed or malformed quote answers are errors with a reason") {
  CHECK_THAT(std::get<std::string>(parse_falconx_quote("not json")),
             Catch::Contains("not a JSON object"));
  CHECK_THAT(std::get<std::string>(parse_falconx_quote("[1]")),
             Catch::Contains("not a JSON object"));
  CHECK_THAT(std::get<std::string>(
                 parse_falconx_quote(R"({"status":"failure","message":"no liquidity"})")),
             Catch::Contains("no liquidity"));
  CHECK_THAT(std::get<std::string>(
                 parse_falconx_quote(R"({"fx_quote_id":"a","error":{"code":"X","reason":"y"}})")),
             Catch::Contains("FalconX error"));
  CHECK_THAT(std::get<std::string>(parse_falconx_quote(R"({"status":"success"})")),
             Catch::Contains("fx_quote_id"));
}

TEST_CASE("service: prices are read exactly from the JSON text, numbers and strings alike") {
  // As a double, 30030.000000000001 is 30030: a quote one unit above the limit looked on it.
  const auto q = std::get<FalconxQuote>(parse_falconx_quote(
      R"({"fx_quote_id":"a","buy_price":30030.000000000001,"sell_price":"123456789.123456789012",)"
      R"("price_executed":30030,"quantity_requested":{"token":"BTC","value":"0.10000"}})"));
  CHECK(q.buy_price->to_string() == "30030.000000000001");
  CHECK(q.sell_price->to_string() == "123456789.123456789012");
  CHECK(q.price_executed->to_string() == "30030");
  CHECK(q.quantity->to_string() == "0.1");
  CHECK(q.quantity_token == "BTC");
}

TEST_CASE(
    "service: lenient price forms make the whole answer an error (std::stod read 0x1p4 as 16)") {
  for (const char* price : {R"("0x1p4")", R"("1e3")", R"(1e3)", R"(3.003E4)", R"("-5")", R"(-5)",
                            R"(" 30000")", R"("30000 ")", R"("12abc")", R"("inf")", R"("NaN")",
                            R"("")", R"(".5")", R"(true)", R"({})", R"([30000])", R"("+1")"}) {
    INFO(price);
    const auto r =
        parse_falconx_quote(std::string(R"({"fx_quote_id":"a","buy_price":)") + price + "}");
    REQUIRE(std::holds_alternative<std::string>(r));
    CHECK_THAT(std::get<std::string>(r), Catch::Contains("buy_price"));
  }
  CHECK_THAT(std::get<std::string>(parse_falconx_quote(
                 R"({"fx_quote_id":"a","quantity_requested":{"value":"0x10"}})")),
             Catch::Contains("quantity_requested"));
  // Beyond double range: nlohmann's lexer refuses the document itself.
  CHECK(std::holds_alternative<std::string>(
      parse_falconx_quote(R"({"fx_quote_id":"a","price_executed":1e400})")));
}

TEST_CASE("service: FalconX error messages are extracted") {
  CHECK(falconx_error_message(R"({"message":"invalid API key"})") == "invalid API key");
  CHECK(falconx_error_message(R"({"code":"INTERNAL_ERROR","reason":"try again"})") ==
        "INTERNAL_ERROR: try again");
  CHECK(falconx_error_message("<html>bad gateway</html>") == "<html>bad gateway</html>");
  CHECK(falconx_error_message("") == "(empty body)");
}

TEST_CASE("service: ISO 8601 timestamps with offsets and fractions") {
  const auto base = parse_iso8601("2023-09-25T02:49:19Z");
  REQUIRE(base);
  CHECK(system_clock::to_time_t(*base) == 1695610159);
  CHECK(parse_iso8601("2023-09-25T04:49:19+02:00") == base);
  CHECK(parse_iso8601("2023-09-25T02:49:19.5+00:00") == *base + milliseconds(500));
  CHECK_FALSE(parse_iso8601("2023-09-25T02:49:19"));  // no zone
  CHECK_FALSE(parse_iso8601("2023-13-25T02:49:19Z"));
  CHECK_FALSE(parse_iso8601("yesterday"));
  CHECK_FALSE(parse_iso8601("2023-09-25T02:49:19Zjunk"));
}
