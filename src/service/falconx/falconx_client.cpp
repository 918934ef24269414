#include "falcon_xecutor/falconx/falconx_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

#include "falconx_signature.h"

namespace xecutor {
namespace {

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

curl_slist* add_header(curl_slist* list, const std::string& line) {
  curl_slist* next = curl_slist_append(list, line.c_str());
  if (next == nullptr) throw std::bad_alloc();
  return next;
}

std::string unix_seconds_now() {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
}

}  // namespace

FalconxClient::FalconxClient(FalconxCredentials credentials, std::string base_url,
                             FalconxObserver observer)
    : credentials_(std::move(credentials)),
      base_url_(std::move(base_url)),
      observer_(std::move(observer)) {}

FalconxResponse FalconxClient::post(const std::string& path, const std::string& body,
                                    std::chrono::milliseconds timeout) const {
  return call("POST", path, body, timeout);
}

FalconxResponse FalconxClient::get(const std::string& path,
                                   std::chrono::milliseconds timeout) const {
  return call("GET", path, "", timeout);
}

FalconxResponse FalconxClient::call(const std::string& method, const std::string& path,
                                    const std::string& body,
                                    std::chrono::milliseconds timeout) const {
  const auto start = std::chrono::steady_clock::now();
  FalconxResponse out = perform(method, path, body, timeout);
  if (observer_) observer_(method, path, out, std::chrono::steady_clock::now() - start);
  return out;
}

FalconxResponse FalconxClient::perform(const std::string& method, const std::string& path,
                                       const std::string& body,
                                       std::chrono::milliseconds timeout) const {
  FalconxResponse out;
  const std::string timestamp = unix_seconds_now();
  const auto sign = falconx_signature(credentials_.secret_key, {timestamp, method, path, body});
  if (!sign) {
    out.error = "FALCONX_SECRET_KEY is not valid Base64";
    return out;
  }
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    out.error = "curl_easy_init failed";
    return out;
  }
  curl_slist* raw = nullptr;
  raw = add_header(raw, "Content-Type: application/json");
  raw = add_header(raw, "Expect:");  // no 100-continue round trip
  raw = add_header(raw, "FX-ACCESS-KEY: " + credentials_.api_key);
  raw = add_header(raw, "FX-ACCESS-PASSPHRASE: " + credentials_.passphrase);
  raw = add_header(raw, "FX-ACCESS-TIMESTAMP: " + timestamp);
  raw = add_header(raw, "FX-ACCESS-SIGN: " + *sign);
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw);

  const std::string url = base_url_ + path;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  // At least 1 ms: curl reads 0 as "no timeout".
  const long timeout_ms = std::max<long>(1, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM-based timeouts
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // a redirected POST could be replayed elsewhere
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);

  const CURLcode rc = curl_easy_perform(c);
  long request_bytes = 0;
  curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &request_bytes);
  if (rc == CURLE_OK) {
    out.transport = FalconxResponse::Transport::Answered;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
    return out;
  }
  out.error = curl_easy_strerror(rc);
  if (request_bytes == 0)
    out.transport = FalconxResponse::Transport::NotSent;
  else if (rc == CURLE_OPERATION_TIMEDOUT)
    out.transport = FalconxResponse::Transport::Timeout;
  else
    out.transport = FalconxResponse::Transport::Failed;
  return out;
}

}  // namespace xecutor
