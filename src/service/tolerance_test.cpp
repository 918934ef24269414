#include "service/tolerance.h"

#include <catch2/catch.hpp>
#include <limits>

using namespace xecutor;

TEST_CASE("service: buy price may not exceed expected * (1 + tolerance)") {
  CHECK(check_price(Side::Buy, 30000, 30000, 0.001).acceptable);
  CHECK(check_price(Side::Buy, 30029.99, 30000, 0.001).acceptable);
  CHECK(check_price(Side::Buy, 20000, 30000, 0.001).acceptable);  // cheaper is fine
  CHECK_FALSE(check_price(Side::Buy, 30030.01, 30000, 0.001).acceptable);
  CHECK(check_price(Side::Buy, 1, 30000, 0.001).limit == Approx(30030));
}

TEST_CASE("service: sell price may not fall below expected * (1 - tolerance)") {
  CHECK(check_price(Side::Sell, 30000, 30000, 0.001).acceptable);
  CHECK(check_price(Side::Sell, 29970.01, 30000, 0.001).acceptable);
  CHECK(check_price(Side::Sell, 40000, 30000, 0.001).acceptable);  // dearer is fine
  CHECK_FALSE(check_price(Side::Sell, 29969.99, 30000, 0.001).acceptable);
  CHECK(check_price(Side::Sell, 1, 30000, 0.001).limit == Approx(29970));
}

TEST_CASE("service: zero tolerance and nonsense quotes") {
  CHECK(check_price(Side::Buy, 100, 100, 0).acceptable);
  CHECK_FALSE(check_price(Side::Buy, 100.0001, 100, 0).acceptable);
  CHECK_FALSE(check_price(Side::Buy, 0, 100, 0.001).acceptable);
  CHECK_FALSE(check_price(Side::Buy, -1, 100, 0.001).acceptable);
  CHECK_FALSE(
      check_price(Side::Sell, std::numeric_limits<double>::infinity(), 100, 0.001).acceptable);
  CHECK_FALSE(
      check_price(Side::Buy, std::numeric_limits<double>::quiet_NaN(), 100, 0.001).acceptable);
}
