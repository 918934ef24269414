#include "falcon_xecutor/http/metrics.h"

#include <catch2/catch.hpp>

using namespace xecutor;

TEST_CASE("service: metrics are exposed in Prometheus text format") {
  Metrics m;
  m.alert("quoted");
  m.alert("quoted");
  m.alert("halted");
  m.falconx_call("/v3/quotes", "200", std::chrono::milliseconds(30));
  m.execute("filled");
  m.claim_refused("already_claimed");
  m.limit_hit("max_order_notional");
  const std::string t = m.text();
  CHECK_THAT(t, Catch::Contains("# TYPE xecutor_alerts_total counter"));
  CHECK_THAT(t, Catch::Contains(R"(xecutor_alerts_total{outcome="quoted"} 2)"));
  CHECK_THAT(t, Catch::Contains(R"(xecutor_alerts_total{outcome="halted"} 1)"));
  CHECK_THAT(t, Catch::Contains("# TYPE xecutor_falconx_request_duration_seconds histogram"));
  CHECK_THAT(
      t,
      Catch::Contains(
          R"(xecutor_falconx_request_duration_seconds_bucket{endpoint="/v3/quotes",status="200",le="0.05"} 1)"));
  CHECK_THAT(
      t,
      Catch::Contains(
          R"(xecutor_falconx_request_duration_seconds_bucket{endpoint="/v3/quotes",status="200",le="0.025"} 0)"));
  CHECK_THAT(t, Catch::Contains(R"(xecutor_executes_total{result="filled"} 1)"));
  CHECK_THAT(t, Catch::Contains(R"(xecutor_claims_refused_total{reason="already_claimed"} 1)"));
  CHECK_THAT(t, Catch::Contains(R"(xecutor_limits_hit_total{limit="max_order_notional"} 1)"));
}

TEST_CASE("service: FalconX endpoints become bounded labels") {
  CHECK(falconx_endpoint_label("/v1/quotes/8478fd356cf14b678754c4763eaba6b6") == "/v1/quotes/{id}");
  CHECK(falconx_endpoint_label("/v3/quotes/execute") == "/v3/quotes/execute");
  CHECK(falconx_endpoint_label("/v3/quotes") == "/v3/quotes");
}
