#pragma once
// The service's Prometheus metrics (prometheus-cpp's core registry and text
// serializer; served by the HTTP edge at GET /metrics):
//   xecutor_alerts_total{outcome}                       every /webhook answer
//   xecutor_falconx_request_duration_seconds{endpoint,status}   histogram
//   xecutor_executes_total{result}                      filled / not_filled / rejected / unknown /
//   mismatch xecutor_claims_refused_total{reason}                an alert whose identity was
//   already claimed xecutor_limits_hit_total{limit}                     pre-trade and price limits
//   that refused an order
// Thread-safe: the counters are atomics; label sets are created on first use.
#include <chrono>
#include <memory>
#include <string>

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
class Histogram;
}  // namespace prometheus

namespace xecutor {

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void alert(const std::string& outcome);
  // `endpoint` a route template ("/v3/quotes", "/v1/quotes/{id}"); `status`
  // the HTTP code, or timeout / not_sent / failed.
  void falconx_call(const std::string& endpoint, const std::string& status,
                    std::chrono::duration<double> latency);
  void execute(const std::string& result);
  void claim_refused(const std::string& reason);
  void limit_hit(const std::string& limit);

  // The Prometheus text exposition format (version 0.0.4).
  std::string text() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& alerts_;
  prometheus::Family<prometheus::Histogram>& falconx_latency_;
  prometheus::Family<prometheus::Counter>& executes_;
  prometheus::Family<prometheus::Counter>& claims_refused_;
  prometheus::Family<prometheus::Counter>& limits_hit_;
};

// "/v1/quotes/8478fd35..." -> "/v1/quotes/{id}": a bounded label set.
std::string falconx_endpoint_label(const std::string& path);

}  // namespace xecutor
