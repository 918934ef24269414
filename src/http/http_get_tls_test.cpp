// http_get over HTTPS against a throwaway CA made with the openssl CLI at test
// time: the chain is verified against HttpOptions::ca_file (the CA behind
// xdeploy's --health-ca-file), and refused against the system store or
// another CA.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

#include "xdeploy/http/http_get.h"

namespace xd {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

void run(const std::string& command) {
  INFO(command);
  REQUIRE(std::system((command + " >/dev/null 2>&1").c_str()) == 0);
}

// CA, other CA, and a server certificate for `san` (127.0.0.1 unless told)
// signed by the CA. P-256 keys: verification is the same as with RSA, and three
// RSA-2048 keys cost ~1 s of the unit tier per test.
struct Pki {
  fs::path dir;
  explicit Pki(const std::string& san = "IP:127.0.0.1") {
    char tmpl[] = "/tmp/xd-tls-test.XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    const std::string d = dir.string();
    for (const std::string ca : {"ca", "other"})
      run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "
          "/CN=" +
          ca + " -keyout " + d + "/" + ca + ".key -out " + d + "/" + ca + ".pem");
    run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost "
        "-keyout " +
        d + "/server.key -out " + d + "/server.csr");
    std::ofstream(dir / "san.ext") << "subjectAltName=" << san << "\n";
    run("openssl x509 -req -in " + d + "/server.csr -CA " + d + "/ca.pem -CAkey " + d +
        "/ca.key -CAcreateserial -days 2 -extfile " + d + "/san.ext -out " + d + "/server.pem");
  }
  ~Pki() { fs::remove_all(dir); }
  Pki(const Pki&) = delete;
  Pki& operator=(const Pki&) = delete;
  std::string file(const std::string& name) const { return (dir / name).string(); }
};

class TlsServer {
 public:
  explicit TlsServer(const Pki& pki)
      : server_(pki.file("server.pem").c_str(), pki.file("server.key").c_str()) {
    server_.Get("/health", [this](const httplib::Request& req, httplib::Response& res) {
      const std::lock_guard<std::mutex> lock(mutex_);
      last_host_ = req.get_header_value("Host");
      res.set_content(R"({"slot":"blue"})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~TlsServer() {
    while (!server_.is_running()) std::this_thread::yield();  // stop() needs the loop
    server_.stop();
    thread_.join();
  }
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/health"; }
  std::string port() const { return std::to_string(port_); }
  std::string last_host() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return last_host_;
  }

 private:
  httplib::SSLServer server_;
  std::mutex mutex_;
  std::string last_host_;
  int port_ = 0;
  std::thread thread_;
};

HttpResponse get(const std::string& url, const std::string& ca_file,
                 const std::string& server_name = "") {
  HttpOptions o;
  o.timeout = 10s;
  o.ca_file = ca_file;
  o.server_name = server_name;
  return http_get(url, o);
}

}  // namespace

TEST_CASE("http_get verifies HTTPS against the given CA file") {
  const Pki pki;
  const TlsServer server(pki);

  const auto ok = get(server.url(), pki.file("ca.pem"));
  INFO(ok.error);
  CHECK(ok.transport_ok());
  CHECK(ok.status == 200);
  CHECK(ok.body == R"({"slot":"blue"})");

  const auto system_store = get(server.url(), "");
  CHECK_FALSE(system_store.transport_ok());
  CHECK(system_store.status == 0);

  // The refusal says how to get past it: the self-signed default of a slot
  // needs one of these two flags (terraform/README.md "Certificates").
  INFO(system_store.error);
  CHECK(system_store.error.find("--health-ca-file") != std::string::npos);
  CHECK(system_store.error.find("--health-insecure") != std::string::npos);

  const auto other_ca = get(server.url(), pki.file("other.pem"));
  CHECK_FALSE(other_ca.transport_ok());
  CHECK(other_ca.status == 0);
  CHECK(other_ca.error.find("--health-ca-file") != std::string::npos);

  const auto missing = get(server.url(), pki.file("no-such-ca.pem"));
  CHECK_FALSE(missing.transport_ok());
  CHECK(missing.status == 0);
}

TEST_CASE("http_get verifies a slot's certificate for a name while connecting to its address") {
  // A real deployment's certificate names alerts.example.com, not the slot's IP.
  const Pki pki("DNS:alerts.test");
  TlsServer server(pki);

  const auto by_address = get(server.url(), pki.file("ca.pem"));
  INFO(by_address.error);
  CHECK_FALSE(by_address.transport_ok());
  CHECK(by_address.error.find("--health-server-name") != std::string::npos);

  const auto by_name = get(server.url(), pki.file("ca.pem"), "alerts.test");
  INFO(by_name.error);
  CHECK(by_name.transport_ok());
  CHECK(by_name.status == 200);
  CHECK(server.last_host() == "alerts.test:" + server.port());

  const auto wrong_name = get(server.url(), pki.file("ca.pem"), "other.test");
  CHECK_FALSE(wrong_name.transport_ok());
  CHECK(wrong_name.status == 0);

  // Plain http has no certificate to check: the name changes nothing there.
  const auto plain = get("http://127.0.0.1:1/health", "", "alerts.test");
  CHECK(plain.error.find("alerts.test") == std::string::npos);
}

}  // namespace xd
