#pragma once
// The shared claim on one alert identity, as "Claims follow the truth" in the
// README describes it: taken right before the execute (create-only, so one
// writer wins across slots and restarts), and RELEASED only when the execute
// is known not to have left (not sent, or no time left to send it), so that
// TradingView's resend of the same alert trades with a fresh quote.
//   take()     create claims/<identity>; if it exists and says "released",
//              take it over with compare-and-swap (exactly one resend wins)
//   release()  replace THIS request's claim (its random nonce) by
//              {"released": true, "reason": ...}, compare-and-swap again
// A claim that may have reached FalconX is never released.
#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "falcon_xecutor/claims/claim_store.h"

namespace xecutor {

class AlertClaim {
 public:
  AlertClaim(ClaimStore& store, std::string identity);

  // Written: this request holds the claim. Conflict: someone else does (or
  // did, and it was not released). Failed: the store could not say.
  StoreWrite take(nlohmann::ordered_json record);

  // Empty when the claim is now marked released; else why not (the claim then
  // stays: a resend is refused 409, never traded twice).
  std::string release(const std::string& reason, const std::string& slot,
                      std::chrono::system_clock::time_point now);

  bool held() const { return held_; }
  const std::string& key() const { return key_; }

 private:
  StoreWrite take_released(const std::string& content);

  ClaimStore& store_;
  std::string identity_;
  std::string key_;
  std::string nonce_;  // tells this request's claim from any other
  bool held_ = false;
};

}  // namespace xecutor
