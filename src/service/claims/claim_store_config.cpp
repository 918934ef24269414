#include "falcon_xecutor/claims/claim_store_config.h"

#include <algorithm>
#include <stdexcept>

#include "file_claim_store.h"

namespace xecutor {
namespace {

std::string value_of(const EnvLookup& env, const std::string& name) {
  return env(name).value_or("");
}

// S3 bucket naming rules (the subset that matters here): 3-63 of [a-z0-9.-].
bool valid_bucket(const std::string& b) {
  return b.size() >= 3 && b.size() <= 63 && std::all_of(b.begin(), b.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
         });
}

S3Settings s3_settings(const EnvLookup& env, const std::string& location) {
  S3Settings s;
  const auto slash = location.find('/');
  s.bucket = location.substr(0, slash);
  s.prefix = slash == std::string::npos ? "" : location.substr(slash + 1);
  if (!s.prefix.empty() && s.prefix.back() != '/') s.prefix += '/';
  if (!valid_bucket(s.bucket))
    throw std::invalid_argument("XECUTOR_CLAIM_STORE: '" + s.bucket +
                                "' is not an S3 bucket name (3-63 of a-z 0-9 . -)");
  if (!s.prefix.empty() && !valid_store_key(s.prefix.substr(0, s.prefix.size() - 1)))
    throw std::invalid_argument("XECUTOR_CLAIM_STORE: prefix '" + s.prefix +
                                "' must be segments of A-Z a-z 0-9 . _ -");
  s.endpoint = value_of(env, "XECUTOR_S3_ENDPOINT");
  if (!s.endpoint.empty() && s.endpoint.rfind("http://", 0) != 0 &&
      s.endpoint.rfind("https://", 0) != 0)
    throw std::invalid_argument("XECUTOR_S3_ENDPOINT must start with http:// or https://");
  s.region = value_of(env, "XECUTOR_S3_REGION");
  if (s.region.empty()) s.region = value_of(env, "AWS_REGION");
  if (s.region.empty())
    throw std::invalid_argument("XECUTOR_S3_REGION (or AWS_REGION) is required for an s3:// store");
  s.access_key_id = value_of(env, "AWS_ACCESS_KEY_ID");
  s.secret_access_key = value_of(env, "AWS_SECRET_ACCESS_KEY");
  s.session_token = value_of(env, "AWS_SESSION_TOKEN");
  if (s.access_key_id.empty() || s.secret_access_key.empty())
    throw std::invalid_argument(
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are required for an s3:// store");
  return s;
}

}  // namespace

ClaimStoreSettings load_claim_store_settings(const EnvLookup& env) {
  ClaimStoreSettings out;
  const std::string text = value_of(env, "XECUTOR_CLAIM_STORE");
  if (text.empty()) return out;
  if (text.rfind("file:", 0) == 0) {
    out.kind = ClaimStoreSettings::Kind::File;
    out.directory = text.substr(5);
    if (out.directory.empty() || out.directory.front() != '/')
      throw std::invalid_argument("XECUTOR_CLAIM_STORE=file:<absolute directory>, got '" + text +
                                  "'");
    return out;
  }
  if (text.rfind("s3://", 0) == 0) {
    out.kind = ClaimStoreSettings::Kind::S3;
    out.s3 = s3_settings(env, text.substr(5));
    return out;
  }
  throw std::invalid_argument("XECUTOR_CLAIM_STORE must be file:/dir or s3://bucket/prefix, got '" +
                              text + "'");
}

std::unique_ptr<ClaimStore> make_claim_store(const ClaimStoreSettings& settings) {
  switch (settings.kind) {
    case ClaimStoreSettings::Kind::File:
      return std::make_unique<FileClaimStore>(settings.directory);
    case ClaimStoreSettings::Kind::S3:
      return std::make_unique<S3ClaimStore>(settings.s3);
    case ClaimStoreSettings::Kind::None:
      break;
  }
  return nullptr;
}

}  // namespace xecutor
