#include "http_check.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "signals.h"

namespace fake_tf {

namespace {
size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}
size_t on_header(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    auto value = line.substr(colon + 1);
    auto b = value.find_first_not_of(" \t");
    auto e = value.find_last_not_of(" \t\r\n");
    (*static_cast<std::map<std::string, std::string>*>(user))[line.substr(0, colon)] =
        b == std::string::npos ? "" : value.substr(b, e - b + 1);
  }
  return size * n;
}
// A second interrupt aborts the transfer.
int on_progress(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return interrupts::count() >= 2 ? 1 : 0;
}

HttpOutcome attempt(const std::string& url, int timeout_ms) {
  static const bool initialized = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)initialized;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  HttpOutcome out;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &out.headers);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    out.error = fmt::format("request exceeded the specified timeout: {}ms, err: {}", timeout_ms,
                            curl_easy_strerror(rc));
    return out;
  }
  if (rc != CURLE_OK) {
    out.error = curl_easy_strerror(rc);
    return out;
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  out.ok = true;
  out.status_code = static_cast<int>(status);
  return out;
}

bool retryable(const HttpOutcome& o) {
  return !o.ok || (o.status_code >= 500 && o.status_code != 501) || o.status_code == 429;
}
}  // namespace

HttpOutcome http_get(const std::string& url, const HttpRetry& retry) {
  HttpOutcome last;
  const int attempts = std::max(1, retry.attempts);
  int made = 0;
  for (; made < attempts; ++made) {
    interrupts::poll();
    if (made > 0 && !interrupts::sleep_for(std::chrono::milliseconds(retry.delay_ms), true)) break;
    last = attempt(url, retry.timeout_ms);
    if (!retryable(last)) return last;
  }
  interrupts::poll();
  if (last.ok) return last;  // a persisting 5xx still yields its status_code (see README)
  last.error = fmt::format("Error making request: GET {} giving up after {} attempt(s): {}", url,
                           std::max(made, 1), last.error.empty() ? "interrupted" : last.error);
  return last;
}

}  // namespace fake_tf
