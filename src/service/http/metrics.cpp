#include "falcon_xecutor/http/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace xecutor {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildHistogram;

// Seconds; TradingView gives up after 3 s, the default alert deadline is 2.5 s.
const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0};

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      alerts_(BuildCounter()
                  .Name("xecutor_alerts_total")
                  .Help("Webhook alerts answered, by outcome")
                  .Register(*registry_)),
      falconx_latency_(BuildHistogram()
                           .Name("xecutor_falconx_request_duration_seconds")
                           .Help("FalconX call latency, by endpoint and HTTP status or failure")
                           .Register(*registry_)),
      executes_(BuildCounter()
                    .Name("xecutor_executes_total")
                    .Help("Live executes sent to FalconX, by result")
                    .Register(*registry_)),
      claims_refused_(BuildCounter()
                          .Name("xecutor_claims_refused_total")
                          .Help("Alerts refused because their identity was already claimed")
                          .Register(*registry_)),
      limits_hit_(BuildCounter()
                      .Name("xecutor_limits_hit_total")
                      .Help("Orders refused by a pre-trade or price limit, by limit")
                      .Register(*registry_)) {}

Metrics::~Metrics() = default;

void Metrics::alert(const std::string& outcome) {
  alerts_.Add({{"outcome", outcome}}).Increment();
}

void Metrics::falconx_call(const std::string& endpoint, const std::string& status,
                           std::chrono::duration<double> latency) {
  falconx_latency_.Add({{"endpoint", endpoint}, {"status", status}}, kLatencyBuckets)
      .Observe(latency.count());
}

void Metrics::execute(const std::string& result) {
  executes_.Add({{"result", result}}).Increment();
}

void Metrics::claim_refused(const std::string& reason) {
  claims_refused_.Add({{"reason", reason}}).Increment();
}

void Metrics::limit_hit(const std::string& limit) {
  limits_hit_.Add({{"limit", limit}}).Increment();
}

std::string Metrics::text() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

std::string falconx_endpoint_label(const std::string& path) {
  for (const char* prefix : {"/v1/quotes/", "/v3/quotes/"}) {
    const std::string p = prefix;
    if (path.rfind(p, 0) == 0 && path != p + "execute") return p + "{id}";
  }
  return path;
}

}  // namespace xecutor
