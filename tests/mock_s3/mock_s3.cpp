// A minimal S3 stand-in for falcon-xecutor's claim-store tests, until the
// project's AWS endpoint emulator serves S3: path-style GET/PUT of objects in
// memory, with the two conditional writes S3 has supported since 2024
// (`If-None-Match: *` -> 412 when the key exists; `If-Match: <etag>` -> 412
// when it changed, 404 when absent) and the shape checks a real S3 makes
// before anything else (a SigV4 Authorization for the expected key id, an
// x-amz-date, an x-amz-content-sha256 equal to the body's hash) and the
// SigV4 signature itself, recomputed here from the raw request (AWS's
// documented algorithm, written independently of libcurl's). /_admin/stats
// counts PUTs by outcome;
// /_admin/config {"fail_status":500} makes every object request fail.
//
//   mock_s3 --port PORT --access-key-id AKID   env: MOCK_S3_SECRET_ACCESS_KEY
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "support/stop_on_signal.h"

namespace {

using nlohmann::json;

std::string hex_sha256(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

std::string hmac(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return {reinterpret_cast<const char*>(mac), len};
}

std::string to_hex(const std::string& bytes) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// "k1=v1, k2=v2" parts of the Authorization header after the algorithm.
std::map<std::string, std::string> auth_fields(const std::string& auth) {
  std::map<std::string, std::string> out;
  std::string rest = auth.substr(auth.find(' ') + 1);
  std::size_t pos = 0;
  while (pos < rest.size()) {
    const auto comma = rest.find(',', pos);
    const std::string part = trim(rest.substr(pos, comma - pos));
    if (const auto eq = part.find('='); eq != std::string::npos)
      out[part.substr(0, eq)] = part.substr(eq + 1);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

// Empty when the SigV4 signature over the raw request is right, else why not.
// Paths here are plain ([A-Za-z0-9._/-]) and there is no query string.
std::string sigv4_problem(const httplib::Request& req, const std::string& secret) {
  const auto f = auth_fields(req.get_header_value("Authorization"));
  const auto credential = f.count("Credential") ? f.at("Credential") : "";
  const auto signed_headers = f.count("SignedHeaders") ? f.at("SignedHeaders") : "";
  const auto signature = f.count("Signature") ? f.at("Signature") : "";
  const auto slash = credential.find('/');
  if (slash == std::string::npos || signed_headers.empty() || signature.empty())
    return "malformed Authorization";
  const std::string scope = credential.substr(slash + 1);  // date/region/s3/aws4_request
  std::string canonical_headers;
  std::size_t pos = 0;
  while (pos <= signed_headers.size()) {
    const auto semi = signed_headers.find(';', pos);
    const std::string name = signed_headers.substr(pos, semi - pos);
    if (!req.has_header(name)) return "signed header " + name + " missing";
    canonical_headers += name + ":" + trim(req.get_header_value(name)) + "\n";
    if (semi == std::string::npos) break;
    pos = semi + 1;
  }
  for (const char* must : {"host", "x-amz-date", "x-amz-content-sha256"})
    if (canonical_headers.find(std::string(must) + ":") == std::string::npos)
      return std::string(must) + " is not signed";
  const std::string canonical_request = req.method + "\n" + req.path + "\n" + "\n" +
                                        canonical_headers + "\n" + signed_headers + "\n" +
                                        req.get_header_value("x-amz-content-sha256");
  const std::string amz_date = req.get_header_value("x-amz-date");
  const std::string to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + hex_sha256(canonical_request);
  std::string key = "AWS4" + secret;
  std::size_t start = 0;
  for (int i = 0; i < 4; ++i) {  // date, region, service, "aws4_request"
    const auto end = scope.find('/', start);
    key = hmac(key, scope.substr(start, end - start));
    start = end + 1;
  }
  if (to_hex(hmac(key, to_sign)) != lower(signature)) {
    std::cerr << "mock_s3: SignatureDoesNotMatch; canonical request was:\n"
              << canonical_request << "\n---\n";
    return "SignatureDoesNotMatch";
  }
  return {};
}

void s3_error(httplib::Response& res, int status, const std::string& code) {
  res.status = status;
  res.set_content("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code +
                      "</Code><Message>" + code + "</Message></Error>",
                  "application/xml");
}

class MockS3 {
 public:
  MockS3(std::string access_key_id, std::string secret)
      : access_key_id_(std::move(access_key_id)), secret_(std::move(secret)) {}

  void install(httplib::Server& s) {
    s.Get("/_admin/stats", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      json objects = json::object();
      for (const auto& [k, v] : objects_) objects[k] = v.content;
      res.set_content(json{{"stats", stats_}, {"objects", objects}}.dump(), "application/json");
    });
    s.Post("/_admin/config", [this](const httplib::Request& req, httplib::Response& res) {
      const json j = json::parse(req.body, nullptr, false);
      std::lock_guard lock(mutex_);
      fail_status_ = j.is_object() ? j.value("fail_status", 0) : 0;
      res.set_content("{}", "application/json");
    });
    s.Get(R"(/([a-z0-9.-]+)/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      if (!admit(req, res)) return;
      std::lock_guard lock(mutex_);
      const auto it = objects_.find(req.matches[1].str() + "/" + req.matches[2].str());
      if (it == objects_.end()) return s3_error(res, 404, "NoSuchKey");
      res.set_header("ETag", it->second.etag);
      res.set_content(it->second.content, "application/octet-stream");
    });
    s.Put(R"(/([a-z0-9.-]+)/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      if (!admit(req, res)) return;
      put(req.matches[1].str() + "/" + req.matches[2].str(), req, res);
    });
  }

 private:
  struct Object {
    std::string content;
    std::string etag;
  };

  bool admit(const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard lock(mutex_);
      if (fail_status_ != 0) {
        s3_error(res, fail_status_, "InternalError");
        return false;
      }
    }
    const std::string auth = req.get_header_value("Authorization");
    const std::string want = "AWS4-HMAC-SHA256 Credential=" + access_key_id_ + "/";
    if (auth.rfind(want, 0) != 0 || auth.find("/s3/aws4_request") == std::string::npos ||
        auth.find("Signature=") == std::string::npos || !req.has_header("X-Amz-Date")) {
      s3_error(res, 403, "AccessDenied");
      return false;
    }
    if (req.get_header_value("x-amz-content-sha256") != hex_sha256(req.body)) {
      s3_error(res, 400, "XAmzContentSHA256Mismatch");
      return false;
    }
    if (const std::string why = sigv4_problem(req, secret_); !why.empty()) {
      std::lock_guard lock(mutex_);
      count("signature_failures");
      s3_error(res, 403, "SignatureDoesNotMatch");
      return false;
    }
    return true;
  }

  void count(const std::string& what) { stats_[what] = stats_.value(what, 0) + 1; }

  void put(const std::string& key, const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    const auto it = objects_.find(key);
    const std::string if_none = req.get_header_value("If-None-Match");
    const std::string if_match = req.get_header_value("If-Match");
    if (if_none == "*" && it != objects_.end()) {
      count("put_precondition_failed");
      return s3_error(res, 412, "PreconditionFailed");
    }
    if (!if_match.empty()) {
      if (it == objects_.end()) {
        count("put_no_such_key");
        return s3_error(res, 404, "NoSuchKey");
      }
      if (it->second.etag != if_match) {
        count("put_precondition_failed");
        return s3_error(res, 412, "PreconditionFailed");
      }
    }
    Object& o = objects_[key];
    o.content = req.body;
    o.etag = "\"" + hex_sha256(req.body + std::to_string(++version_)).substr(0, 32) + "\"";
    count("put_written");
    res.set_header("ETag", o.etag);
    res.status = 200;
  }

  std::string access_key_id_;
  std::string secret_;
  std::mutex mutex_;
  std::map<std::string, Object> objects_;
  json stats_ = json::object();
  long version_ = 0;
  int fail_status_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  std::string access_key_id;
  CLI::App cli{"minimal S3 stand-in (127.0.0.1 only) for falcon-xecutor claim tests"};
  cli.add_option("--port", port, "port on 127.0.0.1")->required()->check(CLI::Range(1, 65535));
  cli.add_option("--access-key-id", access_key_id, "the only key id accepted")->required();
  CLI11_PARSE(cli, argc, argv);

  const char* secret = std::getenv("MOCK_S3_SECRET_ACCESS_KEY");  // NOLINT(concurrency-mt-unsafe)
  if (secret == nullptr || *secret == '\0') {
    std::cerr << "mock_s3: MOCK_S3_SECRET_ACCESS_KEY must be set\n";
    return 2;
  }
  MockS3 mock(access_key_id, secret);
  httplib::Server server;
  server.new_task_queue = [] { return new httplib::ThreadPool(32); };
  mock.install(server);
  xd::testing::stop_on_sigterm_or_sigint([&server] { server.stop(); });
  if (!server.listen("127.0.0.1", port)) {
    std::cerr << "mock_s3: cannot listen on 127.0.0.1:" << port << "\n";
    return 1;
  }
  return 0;
}
