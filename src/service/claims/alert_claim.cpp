#include "falcon_xecutor/claims/alert_claim.h"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include <fmt/format.h>

namespace xecutor {
namespace {

// 128 random bits as hex: the nonce that marks one request's claim.
std::string random_hex() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
  std::string out;
  for (const unsigned char b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

long long unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

AlertClaim::AlertClaim(ClaimStore& store, std::string identity)
    : store_(store), identity_(std::move(identity)), key_("claims/" + identity_) {}

StoreWrite AlertClaim::take(nlohmann::ordered_json record) {
  nonce_ = random_hex();
  record["nonce"] = nonce_;
  const std::string content = record.dump();
  StoreWrite w = store_.create(key_, content);
  if (w.outcome == StoreWrite::Outcome::Conflict) w = take_released(content);
  held_ = w.outcome == StoreWrite::Outcome::Written;
  return w;
}

StoreWrite AlertClaim::take_released(const std::string& content) {
  const StoreRead r = store_.read(key_);
  if (r.outcome == StoreRead::Outcome::Failed) return {StoreWrite::Outcome::Failed, r.error};
  if (r.outcome == StoreRead::Outcome::Absent) return store_.create(key_, content);
  const auto held = nlohmann::json::parse(r.content, nullptr, false);
  if (!held.is_object() || !held.value("released", false))
    return {StoreWrite::Outcome::Conflict, ""};
  return store_.replace(key_, content, r.version);
}

std::string AlertClaim::release(const std::string& reason, const std::string& slot,
                                std::chrono::system_clock::time_point now) {
  if (!held_) return "this request holds no claim";
  held_ = false;
  const StoreRead r = store_.read(key_);
  if (r.outcome == StoreRead::Outcome::Absent) return "the claim is gone";
  if (r.outcome == StoreRead::Outcome::Failed) return r.error;
  const auto held = nlohmann::json::parse(r.content, nullptr, false);
  if (!held.is_object() || held.value("nonce", "") != nonce_)
    return "the claim is not this request's";
  const nlohmann::ordered_json released{{"identity", identity_},
                                        {"released", true},
                                        {"reason", reason},
                                        {"slot", slot},
                                        {"released_at_unix_ms", unix_ms(now)}};
  const StoreWrite w = store_.replace(key_, released.dump(), r.version);
  if (w.outcome == StoreWrite::Outcome::Written) return "";
  return w.error.empty() ? "the claim changed meanwhile" : w.error;
}

}  // namespace xecutor
