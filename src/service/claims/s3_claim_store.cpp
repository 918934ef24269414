#include "falcon_xecutor/claims/s3_claim_store.h"

#include <utility>

namespace xecutor {
namespace {

using Outcome = StoreWrite::Outcome;
// 409 ConditionalRequestConflict: three tries in all, then Failed (the caller answers 5xx
// and TradingView's resend tries again).
constexpr int kConflictRetries = 2;

xd::s3::Bucket bucket_of(const S3Settings& s) {
  // Set endpoint (tests, an emulator, another S3): path-style <endpoint>/<bucket>/<key>.
  return {s.bucket, s.region, s.endpoint, !s.endpoint.empty()};
}

xd::s3::Client client_of(const S3Settings& s) {
  xd::s3::Credentials credentials{s.access_key_id, s.secret_access_key, s.session_token,
                                  "the environment"};
  return {bucket_of(s), std::move(credentials), {s.timeout, kConflictRetries}};
}

StoreWrite write_outcome(const xd::s3::Answer& a, bool absent_is_conflict) {
  using xd::s3::Outcome;
  if (a.ok()) return {StoreWrite::Outcome::Written, {}};
  if (a.outcome == Outcome::PreconditionFailed ||
      (absent_is_conflict && a.outcome == Outcome::NotFound))
    return {StoreWrite::Outcome::Conflict, {}};
  return {StoreWrite::Outcome::Failed, a.error};
}

}  // namespace

std::string s3_object_url(const S3Settings& s, const std::string& key) {
  return xd::s3::s3_url(bucket_of(s), s.prefix + key);
}

S3ClaimStore::S3ClaimStore(S3Settings settings)
    : settings_(std::move(settings)), client_(client_of(settings_)) {}

std::string S3ClaimStore::describe() const {
  return "s3://" + settings_.bucket + "/" + settings_.prefix;
}

StoreWrite S3ClaimStore::create(const std::string& key, const std::string& content) {
  if (!valid_store_key(key)) return {Outcome::Failed, "invalid store key '" + key + "'"};
  return write_outcome(client_.put_if_absent(settings_.prefix + key, content), false);
}

StoreRead S3ClaimStore::read(const std::string& key) {
  StoreRead r;
  if (!valid_store_key(key)) {
    r.error = "invalid store key '" + key + "'";
    return r;
  }
  const auto a = client_.get(settings_.prefix + key);
  if (a.ok() && !a.etag.empty()) {
    r.outcome = StoreRead::Outcome::Found;
    r.content = a.body;
    r.version = a.etag;
  } else if (a.outcome == xd::s3::Outcome::NotFound) {
    r.outcome = StoreRead::Outcome::Absent;
  } else {
    r.error = a.ok() ? "GET " + xd::s3::s3_uri(client_.bucket(), settings_.prefix + key) +
                           ": S3 answered without an ETag"
                     : a.error;
  }
  return r;
}

StoreWrite S3ClaimStore::replace(const std::string& key, const std::string& content,
                                 const std::string& version) {
  if (!valid_store_key(key)) return {Outcome::Failed, "invalid store key '" + key + "'"};
  return write_outcome(client_.put_if_match(settings_.prefix + key, content, version), true);
}

}  // namespace xecutor
