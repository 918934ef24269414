#pragma once
// What became of each live order, by alert identity, for GET /orders/<identity>:
// the last known state of its execute ("executed", "outcome_unknown",
// "filled", "not_filled", "mismatch", "unresolved", ...). In memory, bounded
// to the most recent kMaxOrders; the durable record is the log.
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>

namespace xecutor {

class OrderBook {
 public:
  static constexpr std::size_t kMaxOrders = 10000;
  // Replaces the record of `identity` (fields merged over the previous ones).
  void record(const std::string& identity, const nlohmann::ordered_json& fields);
  std::optional<nlohmann::ordered_json> find(const std::string& identity) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, nlohmann::ordered_json> records_;
  std::deque<std::string> order_;  // oldest first, for the bound
};

}  // namespace xecutor
