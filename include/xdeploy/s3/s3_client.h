#pragma once
// A small S3 object client on libcurl: the conditional writes a lock and an
// append-only log need, and the few bucket calls a state-bucket bootstrap makes.
// Each call is one signed request (libcurl's CURLOPT_AWS_SIGV4), answered as:
//   Ok                  2xx
//   NotFound            404 (no such key; `error_code` says NoSuchBucket when it is the bucket)
//   PreconditionFailed  412: If-None-Match found the key, or If-Match another ETag
//   Failed              anything else; `error` is one line (HTTP status and S3's <Code>,
//                       or the transport error, then `answered` is false)
// S3 answers 409 ConditionalRequestConflict while another conditional write to
// the same key is in flight, and says to retry: the conditional calls do, a few
// times. A conditional write whose answer was lost (timeout, reset) may or may
// not have happened: `answered` is false, and the caller reads the key to know.
//
// Credentials live in the client and go only to libcurl: never into URLs,
// messages or logs. Bodies are small (curl sends them at once, no
// `Expect: 100-continue` below 1 MiB, and an `Expect:` override would be signed
// but not sent by curl 7.88, which S3 refuses).
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "xdeploy/s3/aws_credentials.h"
#include "xdeploy/s3/s3_address.h"
#include "xdeploy/s3/s3_xml.h"

namespace xd::s3 {

enum class Outcome { Ok, NotFound, PreconditionFailed, Failed };

struct Answer {
  Outcome outcome = Outcome::Failed;
  bool answered = false;  // an HTTP answer came back (false: transport error)
  long http_status = 0;
  std::string body;  // GET: the object; errors: S3's XML
  std::string etag;  // the ETag header, quotes included ("\"9b2c...\"")
  std::string error_code;
  std::string error;  // Failed: what went wrong, one line, no secrets
  bool ok() const { return outcome == Outcome::Ok; }
};

struct ListResult {
  std::vector<ObjectEntry> objects;
  std::vector<std::string> common_prefixes;
  std::string next_token;  // more to read: pass it back
  int requests = 0;
  std::string error;  // empty: ok
};

struct ClientOptions {
  std::chrono::milliseconds timeout{15000};  // per request, connecting included
  int conflict_retries = 3;                  // 409 ConditionalRequestConflict
  size_t page_size = 1000;                   // ListObjectsV2 max-keys (S3's ceiling)
};

class Client {
 public:
  Client(Bucket bucket, Credentials credentials, ClientOptions options = {});

  const Bucket& bucket() const { return bucket_; }

  Answer put_if_absent(const std::string& key, const std::string& body,
                       const std::string& content_type = "application/json") const;
  Answer put_if_match(const std::string& key, const std::string& body, const std::string& etag,
                      const std::string& content_type = "application/json") const;
  Answer get(const std::string& key) const;
  Answer head(const std::string& key) const;
  Answer delete_if_match(const std::string& key, const std::string& etag) const;

  // ListObjectsV2: keys under `prefix` in S3's order (UTF-8 binary), after
  // `start_after`. Reads pages until `max_keys` objects (0: all) or the end.
  ListResult list(const std::string& prefix, size_t max_keys = 0,
                  const std::string& start_after = {}, const std::string& delimiter = {}) const;

  // The bucket itself: HEAD, create (in the client's region), and a bucket
  // sub-resource (`versioning`, `encryption`, `publicAccessBlock`) PUT or GET.
  Answer head_bucket() const;
  Answer create_bucket() const;
  Answer put_bucket_config(const std::string& subresource, const std::string& xml) const;
  Answer get_bucket_config(const std::string& subresource) const;

  // Counts every request made (the lock's benchmark reports it).
  int requests() const { return *requests_; }

 private:
  struct Request;
  Answer send(const Request& request) const;
  Answer conditional(const Request& request) const;

  Bucket bucket_;
  Credentials credentials_;
  ClientOptions options_;
  std::shared_ptr<std::atomic<int>> requests_ = std::make_shared<std::atomic<int>>(0);
};

// "PUT s3://b/k: S3 HTTP 403 AccessDenied" and the like.
std::string describe_failure(const Answer& answer, const std::string& what);

}  // namespace xd::s3
