#include "xdeploy/http/http_get.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

namespace xd {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kBodyCap = size_t{64} * 1024;

// curl_global_init is not thread-safe; run it once, before any handle.
void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  HttpResponse* response = nullptr;
  const HttpOptions* options = nullptr;
  bool body_capped = false;
  bool cancelled = false;
  std::string url;                   // what libcurl fetches (server_name in place of the host)
  curl_slist* connect_to = nullptr;  // "name:port:address:port" while server_name is in use
};

struct UrlFree {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlFree {
  void operator()(char* p) const { curl_free(p); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlFree>;
using CurlText = std::unique_ptr<char, CurlFree>;

std::optional<std::string> url_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(u, part, &text, flags) != CURLUE_OK) return std::nullopt;
  return std::string(CurlText(text).get());
}

// Rewrites an https URL to carry `name` as its host and adds a connect-to
// entry that still sends the connection to the original address. Leaves the
// transfer alone for http URLs (no certificate to check) and unparsable ones
// (libcurl then reports the URL error itself).
void address_by_name(Transfer* t, const std::string& name) {
  UrlHandle u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, t->url.c_str(), 0) != CURLUE_OK) return;
  const auto scheme = url_part(u.get(), CURLUPART_SCHEME);
  const auto host = url_part(u.get(), CURLUPART_HOST);
  const auto port = url_part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!scheme || *scheme != "https" || !host || !port) return;
  if (curl_url_set(u.get(), CURLUPART_HOST, name.c_str(), 0) != CURLUE_OK) return;
  const auto renamed = url_part(u.get(), CURLUPART_URL);
  if (!renamed) return;
  t->url = *renamed;
  const std::string entry = name + ":" + *port + ":" + *host + ":" + *port;
  t->connect_to = curl_slist_append(nullptr, entry.c_str());
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  std::string& body = t->response->body;
  const size_t room = kBodyCap - body.size();
  body.append(data, std::min(bytes, room));
  if (bytes > room) {
    // Enough to judge health; stop the download (reported as a write error, forgiven below).
    t->body_capped = true;
    return 0;
  }
  return bytes;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response->headers.clear();  // a new response (after 100 Continue): keep only the final one
    return line.size();
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  std::string name(trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  t->response->headers[name] = std::string(trim(line.substr(colon + 1)));
  return line.size();
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->options->cancel && t->options->cancel()) {
    t->cancelled = true;
    return 1;  // abort
  }
  return 0;
}

void configure(CURL* curl, Transfer* transfer, char* error_buffer) {
  const HttpOptions& o = *transfer->options;
  const long timeout_ms = static_cast<long>(std::max<std::int64_t>(1, o.timeout.count()));
  if (!o.server_name.empty()) address_by_name(transfer, o.server_name);
  curl_easy_setopt(curl, CURLOPT_URL, transfer->url.c_str());
  if (transfer->connect_to != nullptr)
    curl_easy_setopt(curl, CURLOPT_CONNECT_TO, transfer->connect_to);
  curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  // No SIGALRM-based DNS timeouts: we are multi-threaded and own SIGINT handling.
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // A redirect would hide which slot really answered.
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, o.insecure ? 0L : 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, o.insecure ? 0L : 2L);
  if (!o.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, o.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, transfer);
  if (o.cancel) {
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, transfer);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  }
}

// What to do about a certificate the client cannot verify: a slot's default
// certificate is self-signed (terraform/README.md "Certificates and renewal"),
// and libcurl's own text ("SSL certificate problem: self-signed certificate")
// does not say how xdeploy gets past it.
constexpr const char* kUnverifiedCertificateHint =
    " (the server's TLS certificate could not be verified: pass --health-ca-file <CA PEM> with "
    "the CA that signed it, --health-server-name <name> when the certificate is issued for a name "
    "rather than the slot's address, or --health-insecure for the slots' self-signed default)";

std::string error_text(CURLcode code, const char* error_buffer, const Transfer& t) {
  if (t.cancelled) return "cancelled";
  const std::string detail = error_buffer;
  std::string text = detail.empty() ? curl_easy_strerror(code) : detail;
  if (code == CURLE_PEER_FAILED_VERIFICATION) text += kUnverifiedCertificateHint;
  return text;
}

}  // namespace

HttpResponse http_get(const std::string& url, const HttpOptions& options) {
  init_curl_once();
  HttpResponse response;
  const auto start = Clock::now();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    response.error = "cannot initialise libcurl";
    return response;
  }
  Transfer transfer;
  transfer.response = &response;
  transfer.options = &options;
  transfer.url = url;
  char error_buffer[CURL_ERROR_SIZE] = {};
  configure(curl, &transfer, error_buffer);
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  const bool capped_only = code == CURLE_WRITE_ERROR && transfer.body_capped;
  if (code != CURLE_OK && !capped_only) {
    response.error = error_text(code, error_buffer, transfer);
    if (response.error.empty()) response.error = "request failed";
  }
  curl_easy_cleanup(curl);
  curl_slist_free_all(transfer.connect_to);
  response.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return response;
}

}  // namespace xd
