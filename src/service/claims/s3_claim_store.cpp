#include "falcon_xecutor/claims/s3_claim_store.h"
#include "falcon_xecutor/core/sha256_hex.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <memory>
#include <optional>

namespace xecutor {
namespace {

using Outcome = StoreWrite::Outcome;
constexpr int kConflictRetries = 3;

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct HttpAnswer {
  bool answered = false;
  long status = 0;
  std::string body;
  std::string etag;
  std::string error;  // transport failure
};

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

std::size_t read_etag(char* data, std::size_t size, std::size_t count, void* out) {
  std::string line(data, size * count);
  if (line.size() > 5 && strncasecmp(line.c_str(), "etag:", 5) == 0) {
    line.erase(0, 5);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.erase(0, 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' '))
      line.pop_back();
    *static_cast<std::string*>(out) = line;
  }
  return size * count;
}

curl_slist* add_header(curl_slist* list, const std::string& line) {
  curl_slist* next = curl_slist_append(list, line.c_str());
  if (next == nullptr) throw std::bad_alloc();
  return next;
}

// The <Code> of an S3 XML error, for a readable failure message.
std::string s3_error_code(const std::string& body) {
  const auto start = body.find("<Code>");
  const auto end = body.find("</Code>");
  if (start == std::string::npos || end == std::string::npos || end < start) return {};
  return body.substr(start + 6, std::min<std::size_t>(end - start - 6, 80));
}

// One signed request. `body` is sent (PUT) when set; `condition` is an extra header line.
HttpAnswer send(const S3Settings& s, const std::string& key, const std::optional<std::string>& body,
                const std::string& condition) {
  HttpAnswer a;
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    a.error = "curl_easy_init failed";
    return a;
  }
  curl_slist* raw = nullptr;
  // S3 wants the payload hash; curl 7.88 signs it only when it is given explicitly.
  raw = add_header(raw, "x-amz-content-sha256: " + hex_sha256(body.value_or("")));
  if (!s.session_token.empty()) raw = add_header(raw, "x-amz-security-token: " + s.session_token);
  if (!condition.empty()) raw = add_header(raw, condition);
  // No "Expect:" override: curl 7.88 would list the removed header in
  // SignedHeaders and S3 would refuse the signature (the stand-in did). Bodies
  // here are far below the size at which curl asks for 100-continue.
  if (body) raw = add_header(raw, "Content-Type: application/json");
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw);

  const std::string url = s3_object_url(s, key);
  const std::string sigv4 = "aws:amz:" + s.region + ":s3";
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(c, CURLOPT_USERNAME, s.access_key_id.c_str());
  curl_easy_setopt(c, CURLOPT_PASSWORD, s.secret_access_key.c_str());
  if (body) {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  }
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(s.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s.timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &a.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, read_etag);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &a.etag);
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    a.error = std::string("S3 request failed: ") + curl_easy_strerror(rc);
    return a;
  }
  a.answered = true;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
  return a;
}

std::string failure_text(const HttpAnswer& a, const std::string& what) {
  if (!a.answered) return what + ": " + a.error;
  const std::string code = s3_error_code(a.body);
  return fmt::format("{}: S3 HTTP {}{}", what, a.status, code.empty() ? "" : " " + code);
}

// A conditional PUT; 409 (a concurrent conditional write in flight) is retried.
StoreWrite conditional_put(const S3Settings& s, const std::string& key, const std::string& content,
                           const std::string& condition, bool absent_is_conflict) {
  HttpAnswer a;
  for (int attempt = 0; attempt < kConflictRetries; ++attempt) {
    a = send(s, key, content, condition);
    if (!a.answered || a.status != 409) break;
  }
  if (a.answered && a.status == 200) return {Outcome::Written, {}};
  if (a.answered && (a.status == 412 || (absent_is_conflict && a.status == 404)))
    return {Outcome::Conflict, {}};
  return {Outcome::Failed, failure_text(a, "PUT " + key)};
}

}  // namespace

std::string s3_object_url(const S3Settings& s, const std::string& key) {
  if (s.endpoint.empty())
    return fmt::format("https://{}.s3.{}.amazonaws.com/{}{}", s.bucket, s.region, s.prefix, key);
  std::string endpoint = s.endpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  return fmt::format("{}/{}/{}{}", endpoint, s.bucket, s.prefix, key);
}

S3ClaimStore::S3ClaimStore(S3Settings settings) : settings_(std::move(settings)) {}

std::string S3ClaimStore::describe() const {
  return "s3://" + settings_.bucket + "/" + settings_.prefix;
}

StoreWrite S3ClaimStore::create(const std::string& key, const std::string& content) {
  if (!valid_store_key(key)) return {Outcome::Failed, "invalid store key '" + key + "'"};
  return conditional_put(settings_, key, content, "If-None-Match: *", false);
}

StoreRead S3ClaimStore::read(const std::string& key) {
  StoreRead r;
  if (!valid_store_key(key)) {
    r.error = "invalid store key '" + key + "'";
    return r;
  }
  const HttpAnswer a = send(settings_, key, std::nullopt, "");
  if (a.answered && a.status == 200 && !a.etag.empty()) {
    r.outcome = StoreRead::Outcome::Found;
    r.content = a.body;
    r.version = a.etag;
  } else if (a.answered && a.status == 404) {
    r.outcome = StoreRead::Outcome::Absent;
  } else {
    r.error = a.answered && a.status == 200 ? "GET " + key + ": S3 answered without an ETag"
                                            : failure_text(a, "GET " + key);
  }
  return r;
}

StoreWrite S3ClaimStore::replace(const std::string& key, const std::string& content,
                                 const std::string& version) {
  if (!valid_store_key(key)) return {Outcome::Failed, "invalid store key '" + key + "'"};
  return conditional_put(settings_, key, content, "If-Match: " + version, true);
}

}  // namespace xecutor
