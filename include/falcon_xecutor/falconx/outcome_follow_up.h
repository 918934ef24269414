#pragma once
// An execute whose outcome is unknown (timed out, connection broken, 5xx) is
// never retried: a second execute could double the trade. Instead it is
// followed up in the background with GET /v1/quotes/{fx_quote_id}, with
// exponential backoff, until FalconX says whether it filled. The result goes
// to the log (critical when it filled differently from what was asked) and
// to the OrderBook. Stopping (destruction) interrupts the waits and joins.
#include <chrono>
#include <condition_variable>
#include <list>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

#include "falcon_xecutor/falconx/execution_check.h"
#include "falcon_xecutor/falconx/falconx_client.h"
#include "falcon_xecutor/falconx/falconx_quote.h"
#include "falcon_xecutor/falconx/order_book.h"
#include "falcon_xecutor/http/metrics.h"

namespace xecutor {

struct PendingExecute {
  std::string identity;
  ExpectedExecution expected;
  std::optional<std::chrono::system_clock::time_point> t_expiry;
};

struct FollowUpSchedule {
  std::chrono::milliseconds first_delay{200};
  std::chrono::milliseconds max_delay{30000};
  std::chrono::milliseconds request_timeout{2000};
  std::chrono::milliseconds give_up_after{std::chrono::hours(1)};
  // After t_expiry plus this, an unfilled quote can no longer fill.
  std::chrono::milliseconds expiry_grace{2000};
};

// What a GET /v1/quotes/{id} answer tells about a pending execute: a final
// record, or nullopt while it is still unknown. Pure.
std::optional<nlohmann::ordered_json> resolve_outcome(const PendingExecute& pending,
                                                      const FalconxResponse& answer,
                                                      std::chrono::system_clock::time_point now,
                                                      std::chrono::milliseconds expiry_grace);

// The fields an execute answer got wrong, as logged and shown at
// /orders/<id>: [{"field", "expected", "got"}, ...]. Pure.
nlohmann::ordered_json mismatch_json(const std::vector<Mismatch>& mismatches);

class OutcomeFollowUp {
 public:
  OutcomeFollowUp(const FalconxClient& falconx, OrderBook& book, Metrics& metrics,
                  FollowUpSchedule schedule = {});
  ~OutcomeFollowUp();  // interrupts pending follow-ups and joins them
  OutcomeFollowUp(const OutcomeFollowUp&) = delete;
  OutcomeFollowUp& operator=(const OutcomeFollowUp&) = delete;

  void start(PendingExecute pending);

 private:
  void run(const std::stop_token& stop, const PendingExecute& pending);
  const FalconxClient& falconx_;
  OrderBook& book_;
  Metrics& metrics_;
  FollowUpSchedule schedule_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  // One thread per unknown outcome (rare: each is a critical event), kept until
  // shutdown; a finished one costs only its stack.
  std::list<std::jthread> threads_;
};

}  // namespace xecutor
