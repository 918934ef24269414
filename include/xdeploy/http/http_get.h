#pragma once
// One HTTP(S) GET with libcurl: what the health gate and the downtime prober
// are built from. Never throws; a transport failure is reported in `error`.
#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace xd {

struct HttpOptions {
  std::chrono::milliseconds timeout{5000};  // whole request, connect included
  bool insecure = false;                    // accept self-signed certificates
  // PEM file of the CA(s) to verify the server against instead of the system
  // store (e.g. a private or throwaway CA). Empty: the system store.
  std::string ca_file;
  // For https URLs: the name the certificate is issued for. The request still
  // connects to the URL's address (a slot's own IP), but TLS (SNI and the name
  // check) and the Host header use this name, so a slot serving a real
  // certificate for alerts.example.com is verified instead of needing
  // `insecure`. Empty: the URL's host.
  std::string server_name;
  // Polled while the request runs (about every 100 ms or on progress);
  // returning true aborts it with error "cancelled". Lets Ctrl-C and
  // DowntimeProber::stop_now() cut a slow request short.
  std::function<bool()> cancel;
};

struct HttpResponse {
  long status = 0;                             // 0 when no response
  std::string body;                            // first 64 KiB
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string error;  // transport error ("connection refused", "timed out")
  std::chrono::milliseconds elapsed{0};
  bool transport_ok() const { return error.empty(); }
};

HttpResponse http_get(const std::string& url, const HttpOptions& options);

}  // namespace xd
