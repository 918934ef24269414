#pragma once
// The secrets of falcon-xecutor's tests, defined once: the FalconX
// credentials the service signs with and the mock FalconX checks, and the
// alert's `secret:` line. Throwaway values, valid only against the mocks.
#include <string>

namespace xd::testing {

inline const std::string kApiKey = "test-api-key";
inline const std::string kFxSecret =
    "bW9jay1mYWxjb254LXNlY3JldC1rZXktMDEyMzQ1Njc4OQ==";  // Base64, as FalconX issues it
inline const std::string kPassphrase = "test-passphrase";
inline const std::string kHookSecret = "hook-secret-123";  // XECUTOR_WEBHOOK_SECRET

// The README's basic alert: BUY 0.1 BTC expecting 30000 USD.
inline const std::string kBuy = "BUY\n0.1 BTC\n30000 USD\nsecret: " + kHookSecret + "\n";

}  // namespace xd::testing
