#pragma once
// ClaimStore on S3, shared by both slots (see terraform/: one claims bucket,
// each slot's user may only GET and PUT under its prefix), through xdeploy's S3
// client (include/xdeploy/s3/s3_client.h: SigV4 by libcurl, canonical URLs, the
// 409 retries); the conditional headers do the rest:
//   create():  PUT with `If-None-Match: *`: 200 = ours, 412 = already there.
//   read():    GET; the ETag is the version.
//   replace(): PUT with `If-Match: <ETag>`: 412 = someone wrote in between.
// S3 answers 409 ConditionalRequestConflict while another conditional write
// to the same key is in flight: retried a few times, then Failed.
// Credentials are held here only: never in URLs, logs or error texts.
#include <chrono>
#include <string>

#include "falcon_xecutor/claims/claim_store.h"
#include "xdeploy/s3/s3_client.h"

namespace xecutor {

struct S3Settings {
  std::string bucket;
  std::string prefix;  // "" or ending in '/'
  std::string region;
  // Empty: AWS, virtual-hosted https://<bucket>.s3.<region>.amazonaws.com/<key>.
  // Set (tests, an emulator, another S3): path-style <endpoint>/<bucket>/<key>.
  std::string endpoint;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // optional (temporary credentials)
  std::chrono::milliseconds timeout{1000};
};

// The object URL for `key` (already validated): pure, tested. Empty endpoint: AWS's
// virtual-hosted https://<bucket>.s3.<region>.amazonaws.com/<prefix><key>.
std::string s3_object_url(const S3Settings& s, const std::string& key);

class S3ClaimStore final : public ClaimStore {
 public:
  explicit S3ClaimStore(S3Settings settings);
  StoreWrite create(const std::string& key, const std::string& content) override;
  StoreRead read(const std::string& key) override;
  StoreWrite replace(const std::string& key, const std::string& content,
                     const std::string& version) override;
  std::string describe() const override;

 private:
  S3Settings settings_;
  xd::s3::Client client_;
};

}  // namespace xecutor
