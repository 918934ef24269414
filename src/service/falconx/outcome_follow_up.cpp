#include "falcon_xecutor/falconx/outcome_follow_up.h"

#include "falcon_xecutor/http/structured_log.h"

namespace xecutor {

using nlohmann::ordered_json;

std::optional<ordered_json> resolve_outcome(const PendingExecute& pending,
                                            const FalconxResponse& answer,
                                            std::chrono::system_clock::time_point now,
                                            std::chrono::milliseconds expiry_grace) {
  if (answer.transport != FalconxResponse::Transport::Answered || answer.status != 200)
    return std::nullopt;
  const QuoteParse parsed = parse_falconx_quote(answer.body);
  const auto* quote = std::get_if<FalconxQuote>(&parsed);
  if (quote == nullptr || quote->fx_quote_id != pending.expected.fx_quote_id) return std::nullopt;
  if (quote->is_filled) {
    const auto mismatches = execution_mismatches(pending.expected, *quote);
    ordered_json r{
        {"status", mismatches.empty() ? "filled" : "mismatch"},
        {"price_executed", quote->price_executed ? ordered_json(quote->price_executed->to_string())
                                                 : ordered_json(nullptr)},
        {"side_executed", quote->side_executed}};
    if (!mismatches.empty()) r["mismatches"] = mismatch_json(mismatches);
    return r;
  }
  const auto expiry = quote->t_expiry ? quote->t_expiry : pending.t_expiry;
  if (expiry && now > *expiry + expiry_grace) return ordered_json{{"status", "not_filled"}};
  return std::nullopt;
}

OutcomeFollowUp::OutcomeFollowUp(const FalconxClient& falconx, OrderBook& book, Metrics& metrics,
                                 FollowUpSchedule schedule)
    : falconx_(falconx), book_(book), metrics_(metrics), schedule_(schedule) {}

OutcomeFollowUp::~OutcomeFollowUp() {
  std::list<std::jthread> threads;
  {
    std::lock_guard lock(mutex_);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.request_stop();
  wake_.notify_all();
  // jthread's destructor joins.
}

void OutcomeFollowUp::start(PendingExecute pending) {
  std::lock_guard lock(mutex_);
  threads_.emplace_back(
      [this, pending = std::move(pending)](const std::stop_token& stop) { run(stop, pending); });
}

void OutcomeFollowUp::run(const std::stop_token& stop, const PendingExecute& pending) {
  const std::string& id = pending.expected.fx_quote_id;
  const auto give_up = std::chrono::steady_clock::now() + schedule_.give_up_after;
  auto delay = schedule_.first_delay;
  for (int attempt = 1; std::chrono::steady_clock::now() < give_up; ++attempt) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, stop, delay, [] { return false; });  // woken early only by stop
      if (stop.stop_requested()) {
        log_event(spdlog::level::critical, {{"event", "execute_follow_up_stopped"},
                                            {"fx_quote_id", id},
                                            {"alert_id", pending.identity},
                                            {"action", "outcome still UNKNOWN: check FalconX"}});
        return;
      }
    }
    const FalconxResponse r = falconx_.get("/v1/quotes/" + id, schedule_.request_timeout);
    auto outcome =
        resolve_outcome(pending, r, std::chrono::system_clock::now(), schedule_.expiry_grace);
    if (outcome) {
      const std::string status = (*outcome)["status"];
      (*outcome)["attempts"] = attempt;
      book_.record(pending.identity, *outcome);
      metrics_.execute(status == "filled" ? "filled_after_unknown" : status);
      ordered_json event{{"event", "execute_outcome_resolved"},
                         {"fx_quote_id", id},
                         {"alert_id", pending.identity}};
      event.update(*outcome);
      log_event(status == "mismatch" ? spdlog::level::critical : spdlog::level::warn, event);
      return;
    }
    delay = std::min(delay * 2, schedule_.max_delay);
  }
  book_.record(pending.identity, {{"status", "unresolved"}});
  log_event(spdlog::level::critical, {{"event", "execute_outcome_unresolved"},
                                      {"fx_quote_id", id},
                                      {"alert_id", pending.identity},
                                      {"action", "gave up following up: check FalconX"}});
}

}  // namespace xecutor
