#include "xdeploy/s3/s3_client.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <strings.h>

#include <array>
#include <memory>
#include <optional>

#include <fmt/format.h>

namespace xd::s3 {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::string digest_hex(const EVP_MD* md, const std::string& data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &length, md, nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", out[i]);
  return hex;
}

std::string md5_base64(const std::string& data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_md5(), nullptr);
  std::array<unsigned char, 64> out{};
  const int n = EVP_EncodeBlock(out.data(), digest.data(), static_cast<int>(length));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<size_t>(n));
}

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

std::size_t read_etag(char* data, std::size_t size, std::size_t count, void* out) {
  std::string line(data, size * count);
  if (line.size() > 5 && strncasecmp(line.c_str(), "etag:", 5) == 0) {
    line.erase(0, 5);
    const auto begin = line.find_first_not_of(" \t");
    const auto end = line.find_last_not_of(" \t\r\n");
    *static_cast<std::string*>(out) =
        begin == std::string::npos ? "" : line.substr(begin, end - begin + 1);
  }
  return size * count;
}

curl_slist* add_header(curl_slist* list, const std::string& line) {
  curl_slist* next = curl_slist_append(list, line.c_str());
  if (next == nullptr) throw std::bad_alloc();
  return next;
}

Outcome outcome_of(long status) {
  if (status >= 200 && status < 300) return Outcome::Ok;
  if (status == 404) return Outcome::NotFound;
  if (status == 412) return Outcome::PreconditionFailed;
  return Outcome::Failed;
}

}  // namespace

struct Client::Request {
  const char* method = "GET";
  std::string key;  // empty: the bucket
  QueryParams query;
  std::optional<std::string> body;
  std::string content_type;
  std::vector<std::string> headers;  // extra lines: conditions, Content-MD5
  std::string what;                  // "PUT s3://b/k", for messages
};

Client::Client(Bucket bucket, Credentials credentials, ClientOptions options)
    : bucket_(std::move(bucket)), credentials_(std::move(credentials)), options_(options) {}

Answer Client::send(const Request& r) const {
  Answer a;
  ++*requests_;
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    a.error = r.what + ": curl_easy_init failed";
    return a;
  }
  curl_slist* raw = nullptr;
  // S3 wants the payload's hash signed; curl 7.88 signs it only when given.
  raw = add_header(raw, "x-amz-content-sha256: " + digest_hex(EVP_sha256(), r.body.value_or("")));
  if (!credentials_.session_token.empty())
    raw = add_header(raw, "x-amz-security-token: " + credentials_.session_token);
  for (const auto& line : r.headers) raw = add_header(raw, line);
  if (r.body) raw = add_header(raw, "Content-Type: " + r.content_type);
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw);

  const std::string url = s3_url(bucket_, r.key, r.query);
  const std::string sigv4 = "aws:amz:" + bucket_.region + ":s3";
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);  // a key's "./" must reach S3 as signed
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(c, CURLOPT_USERNAME, credentials_.access_key_id.c_str());
  curl_easy_setopt(c, CURLOPT_PASSWORD, credentials_.secret_access_key.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r.method);
  if (std::string_view(r.method) == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  if (r.body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, r.body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body->size()));
  }
  const long timeout_ms = static_cast<long>(options_.timeout.count());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &a.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, read_etag);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &a.etag);
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    a.error = fmt::format("{}: {}", r.what, curl_easy_strerror(rc));
    return a;
  }
  a.answered = true;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.http_status);
  a.outcome = outcome_of(a.http_status);
  if (!a.ok()) {
    const auto doc = parse_error(a.body);
    a.error_code = doc.code;
    a.error = describe_failure(a, r.what);
  }
  return a;
}

Answer Client::conditional(const Request& request) const {
  Answer a;
  for (int attempt = 0; attempt <= options_.conflict_retries; ++attempt) {
    a = send(request);
    if (!a.answered || a.http_status != 409) break;
  }
  return a;
}

Answer Client::put_if_absent(const std::string& key, const std::string& body,
                             const std::string& content_type) const {
  return conditional(
      {"PUT", key, {}, body, content_type, {"If-None-Match: *"}, "PUT " + s3_uri(bucket_, key)});
}

Answer Client::put_if_match(const std::string& key, const std::string& body,
                            const std::string& etag, const std::string& content_type) const {
  return conditional(
      {"PUT", key, {}, body, content_type, {"If-Match: " + etag}, "PUT " + s3_uri(bucket_, key)});
}

Answer Client::get(const std::string& key) const {
  return send({"GET", key, {}, std::nullopt, {}, {}, "GET " + s3_uri(bucket_, key)});
}

Answer Client::head(const std::string& key) const {
  return send({"HEAD", key, {}, std::nullopt, {}, {}, "HEAD " + s3_uri(bucket_, key)});
}

Answer Client::delete_if_match(const std::string& key, const std::string& etag) const {
  return conditional({"DELETE",
                      key,
                      {},
                      std::nullopt,
                      {},
                      {"If-Match: " + etag},
                      "DELETE " + s3_uri(bucket_, key)});
}

ListResult Client::list(const std::string& prefix, size_t max_keys, const std::string& start_after,
                        const std::string& delimiter) const {
  ListResult out;
  std::string token;
  for (;;) {
    QueryParams query{{"list-type", "2"}, {"prefix", prefix}};
    size_t page_size = options_.page_size;
    if (max_keys > 0) page_size = std::min(page_size, max_keys - out.objects.size());
    query.emplace_back("max-keys", std::to_string(page_size));
    if (!token.empty())
      query.emplace_back("continuation-token", token);
    else if (!start_after.empty())
      query.emplace_back("start-after", start_after);
    if (!delimiter.empty()) query.emplace_back("delimiter", delimiter);
    const std::string what = fmt::format("list {}", s3_uri(bucket_, prefix));
    const auto a = send({"GET", "", query, std::nullopt, {}, {}, what});
    ++out.requests;
    if (!a.ok()) {
      out.error = a.error.empty() ? describe_failure(a, what) : a.error;
      return out;
    }
    std::string error;
    auto page = parse_list_page(a.body, error);
    if (!page) {
      out.error = what + ": " + error;
      return out;
    }
    for (auto& o : page->objects) out.objects.push_back(std::move(o));
    for (auto& p : page->common_prefixes) out.common_prefixes.push_back(std::move(p));
    token = page->truncated ? page->next_token : "";
    out.next_token = token;
    if (token.empty() || (max_keys > 0 && out.objects.size() >= max_keys)) return out;
  }
}

Answer Client::head_bucket() const {
  return send({"HEAD", "", {}, std::nullopt, {}, {}, "HEAD s3://" + bucket_.name});
}

Answer Client::create_bucket() const {
  // us-east-1 takes no location; every other region must be named in the body.
  std::string body;
  if (bucket_.region != "us-east-1")
    body = fmt::format(
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<LocationConstraint>{}</LocationConstraint></CreateBucketConfiguration>",
        bucket_.region);
  return send({"PUT", "", {}, body, "application/xml", {}, "create bucket s3://" + bucket_.name});
}

Answer Client::put_bucket_config(const std::string& subresource, const std::string& xml) const {
  return send({"PUT",
               "",
               {{subresource, ""}},
               xml,
               "application/xml",
               {"Content-MD5: " + md5_base64(xml)},
               fmt::format("put {} of s3://{}", subresource, bucket_.name)});
}

Answer Client::get_bucket_config(const std::string& subresource) const {
  return send({"GET",
               "",
               {{subresource, ""}},
               std::nullopt,
               {},
               {},
               fmt::format("get {} of s3://{}", subresource, bucket_.name)});
}

std::string describe_failure(const Answer& answer, const std::string& what) {
  if (!answer.answered) return answer.error.empty() ? what + ": no answer" : answer.error;
  return fmt::format("{}: S3 HTTP {}{}", what, answer.http_status,
                     answer.error_code.empty() ? "" : " " + answer.error_code);
}

}  // namespace xd::s3
