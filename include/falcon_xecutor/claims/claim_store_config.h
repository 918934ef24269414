#pragma once
// Where the shared claims and daily totals live, from the environment:
//   XECUTOR_CLAIM_STORE = file:/var/lib/falcon-xecutor/claims   (one host: paper, tests)
//                       | s3://bucket/prefix                     (both slots: live)
//   XECUTOR_S3_ENDPOINT  optional; set = path-style requests to it (an emulator, tests)
//   XECUTOR_S3_REGION    (else AWS_REGION) required for s3://
//   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, optional AWS_SESSION_TOKEN: required for s3://
// Unset: no store. Live mode then refuses every order (never execute without a claim).
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "falcon_xecutor/claims/claim_store.h"
#include "falcon_xecutor/claims/s3_claim_store.h"

namespace xecutor {

struct ClaimStoreSettings {
  enum class Kind { None, File, S3 };
  Kind kind = Kind::None;
  std::string directory;  // File
  S3Settings s3;          // S3
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Throws std::invalid_argument naming the variable when a value is malformed or incomplete.
ClaimStoreSettings load_claim_store_settings(const EnvLookup& env);

// nullptr for Kind::None.
std::unique_ptr<ClaimStore> make_claim_store(const ClaimStoreSettings& settings);

}  // namespace xecutor
