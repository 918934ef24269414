#include "falcon_xecutor/falconx/order_book.h"

namespace xecutor {

void OrderBook::record(const std::string& identity, const nlohmann::ordered_json& fields) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = records_.try_emplace(identity, nlohmann::ordered_json::object());
  if (inserted) {
    order_.push_back(identity);
    if (order_.size() > kMaxOrders) {
      records_.erase(order_.front());
      order_.pop_front();
    }
  }
  for (const auto& [k, v] : fields.items()) it->second[k] = v;
}

std::optional<nlohmann::ordered_json> OrderBook::find(const std::string& identity) const {
  std::lock_guard lock(mutex_);
  const auto it = records_.find(identity);
  if (it == records_.end()) return std::nullopt;
  return it->second;
}

}  // namespace xecutor
