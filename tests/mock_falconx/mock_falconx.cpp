// A local stand-in for the FalconX REST API, for falcon-xecutor's integration
// tests and benchmark. It VERIFIES every request the way FalconX would: the
// four FX-ACCESS-* headers, and the signature recomputed here (independently
// of the service's code) from the raw method, raw request-target (path plus
// undecoded query) and raw body bytes. Behaviour (prices, errors, delays) is
// switched by the test through unsigned /_admin endpoints on loopback.
// It can also go DOWN (stop listening: connections are refused, as when
// FalconX cannot be reached) for a while, now or right after answering a
// quote, to stand in for the failures TradingView's resends must survive.
//
//   mock_falconx --port PORT [--max-skew-seconds N]
//   env: MOCK_FALCONX_API_KEY, MOCK_FALCONX_SECRET_KEY (Base64), MOCK_FALCONX_PASSPHRASE
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/stop_on_signal.h"

namespace {

using nlohmann::json;
using SystemClock = std::chrono::system_clock;

std::string env_or_die(const char* name) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at startup
  if (v == nullptr || *v == '\0') {
    std::cerr << "mock_falconx: " << name << " must be set\n";
    std::exit(2);  // NOLINT(concurrency-mt-unsafe)
  }
  return v;
}

// Base64 decode with the padding correction EVP_DecodeBlock needs.
std::string b64_decode(const std::string& text) {
  std::string out(3 * text.size() / 4 + 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return {};
  std::size_t pad = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::string expected_signature(const std::string& secret_b64, const std::string& prehash) {
  const std::string key = b64_decode(secret_b64);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(prehash.data()), prehash.size(), mac, &len);
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string iso(SystemClock::time_point t) {
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(us % 1000000));
  return buf;
}

std::string new_quote_id() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof bytes);
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += hex[b >> 4];
    id += hex[b & 15];
  }
  return id;
}

json default_behaviour() {
  return {{"buy_price", 30000.0},
          {"sell_price", 29990.0},
          {"prices_as_strings", false},
          {"expiry_ms", 5000},
          {"quote_status", 200},
          {"quote_message", ""},
          {"quote_delay_ms", 0},
          // How many quotes quote_status applies to before it clears (0: all).
          {"quote_status_times", 0},
          // After answering the next quote: refuse connections for this long
          // (one-shot), so the execute that follows cannot be sent.
          {"down_after_quote_ms", 0},
          {"quote_raw_body", ""},
          {"v3_quotes_404", false},
          {"execute_status", 200},
          {"execute_message", ""},
          {"execute_delay_ms", 0},
          {"execute_not_filled", false},
          // Faults for the post-trade checks: override fields of the execute answer.
          {"execute_price_executed", nullptr},
          {"execute_fx_quote_id", nullptr},
          {"execute_side", nullptr},
          {"execute_quantity", nullptr},
          // With execute_status != 200: fill the quote anyway, then answer the error
          // (an execute whose answer was lost although it traded).
          {"execute_fills_on_error", false},
          // Fill, then wait this long before answering (the answer outlives
          // the caller's timeout although the trade happened).
          {"execute_answer_delay_ms", 0},
          // GET /v1/quotes/{id}
          {"lookup_status", 200},
          {"lookup_delay_ms", 0}};
}

struct IssuedQuote {
  std::string side;
  std::string base;
  std::string quote_token;
  std::string amount;
  std::string client_order_id;
  SystemClock::time_point expiry;
  bool executed = false;
  json executed_fields;  // is_filled, side_executed, price_executed, t_execute once filled
};

// The API's listening socket, which the mock can take down for a while: a
// fresh httplib::Server per "up" period on the same port, and in between
// nothing listens, so every connection attempt is refused (ECONNREFUSED), as
// when FalconX cannot be reached. Connections already accepted finish.
class Listener {
 public:
  using Install = std::function<void(httplib::Server&)>;
  Listener(int port, Install install) : port_(port), install_(std::move(install)) {}

  // Serves until stop(); returns false when the port cannot be bound.
  bool run() {
    for (;;) {
      auto server = std::make_unique<httplib::Server>();
      server->set_keep_alive_max_count(1000);
      server->set_tcp_nodelay(true);
      server->new_task_queue = [] { return new httplib::ThreadPool(64); };
      install_(*server);
      if (!server->bind_to_port("127.0.0.1", port_)) return false;
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return true;
        current_ = server.get();
      }
      server->listen_after_bind();  // until go_down() or stop() closes the socket
      std::unique_lock lock(mutex_);
      current_ = nullptr;
      cv_.wait_until(lock, up_at_, [this] { return stopping_; });
      if (stopping_) return true;
    }
  }

  // Refuse connections for `how_long`, starting now. Called from a handler of
  // the running server: its own response still goes out on its connection.
  void go_down(std::chrono::milliseconds how_long) {
    std::lock_guard lock(mutex_);
    up_at_ = std::chrono::steady_clock::now() + how_long;
    if (current_ != nullptr) current_->stop();
  }

  void stop() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (current_ != nullptr) current_->stop();
    cv_.notify_all();
  }

 private:
  int port_;
  Install install_;
  std::mutex mutex_;
  std::condition_variable cv_;
  httplib::Server* current_ = nullptr;
  std::chrono::steady_clock::time_point up_at_;
  bool stopping_ = false;
};

class MockFalconx {
 public:
  MockFalconx(std::string key, std::string secret, std::string passphrase, long max_skew)
      : key_(std::move(key)),
        secret_(std::move(secret)),
        passphrase_(std::move(passphrase)),
        max_skew_(max_skew) {
    reset();
  }

  void set_listener(Listener* listener) { listener_ = listener; }

  void install(httplib::Server& s) {
    s.Post("/_admin/config", [this](const httplib::Request& req, httplib::Response& res) {
      const json patch = json::parse(req.body, nullptr, false);
      if (!patch.is_object()) return reply(res, 400, {{"message", "config must be a JSON object"}});
      std::lock_guard lock(mutex_);
      behaviour_.merge_patch(patch);
      reply(res, 200, behaviour_);
    });
    s.Post("/_admin/reset", [this](const httplib::Request&, httplib::Response& res) {
      reset();
      reply(res, 200, {{"status", "reset"}});
    });
    // {"ms": N}: answer, then refuse every connection for N ms (FalconX down).
    s.Post("/_admin/down", [this](const httplib::Request& req, httplib::Response& res) {
      const json body = json::parse(req.body, nullptr, false);
      const int ms = body.is_object() ? body.value("ms", -1) : -1;
      if (ms < 0 || ms > 600000) return reply(res, 400, {{"message", "need {\"ms\": 0..600000}"}});
      reply(res, 200, {{"status", "down"}, {"ms", ms}});
      go_down(std::chrono::milliseconds(ms));
    });
    s.Get("/_admin/stats", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      reply(res, 200, stats_);
    });
    for (const char* v : {"v1", "v3"}) {
      const std::string version = v;
      s.Post("/" + version + "/quotes",
             [this, version](const httplib::Request& req, httplib::Response& res) {
               quote(version, req, res);
             });
      s.Post("/" + version + "/quotes/execute",
             [this, version](const httplib::Request& req, httplib::Response& res) {
               execute(version, req, res);
             });
    }
    s.Get(R"(/v1/quotes/([0-9a-f]{32}))",
          [this](const httplib::Request& req, httplib::Response& res) { lookup(req, res); });
  }

 private:
  void reset() {
    std::lock_guard lock(mutex_);
    behaviour_ = default_behaviour();
    stats_ = {{"quotes_v1", 0},         {"quotes_v3", 0},           {"executes", 0},
              {"execute_attempts", 0},  {"auth_failures", 0},       {"auth_errors", json::array()},
              {"fills", json::array()}, {"requests", json::array()}};
    quotes_.clear();
  }

  static void reply(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
  }

  // Empty when the request is signed correctly, else why not.
  std::string auth_problem(const httplib::Request& req) const {
    if (req.get_header_value("Content-Type") != "application/json")
      return "Content-Type is not application/json";
    if (req.get_header_value("FX-ACCESS-KEY") != key_) return "bad FX-ACCESS-KEY";
    if (req.get_header_value("FX-ACCESS-PASSPHRASE") != passphrase_)
      return "bad FX-ACCESS-PASSPHRASE";
    const std::string ts = req.get_header_value("FX-ACCESS-TIMESTAMP");
    char* end = nullptr;
    const double secs = std::strtod(ts.c_str(), &end);
    if (ts.empty() || end != ts.c_str() + ts.size() ||
        ts.find_first_not_of("0123456789.") != std::string::npos)
      return "FX-ACCESS-TIMESTAMP is not decimal seconds: '" + ts + "'";
    const double now = std::chrono::duration<double>(SystemClock::now().time_since_epoch()).count();
    if (max_skew_ >= 0 && std::abs(now - secs) > static_cast<double>(max_skew_))
      return "FX-ACCESS-TIMESTAMP skew over " + std::to_string(max_skew_) + " s";
    const std::string prehash = ts + req.method + req.target + req.body;
    if (req.get_header_value("FX-ACCESS-SIGN") != expected_signature(secret_, prehash))
      return "FX-ACCESS-SIGN does not match HMAC of the raw request";
    return {};
  }

  // Records the request; false (and a 401 sent) when its auth fails.
  bool admit(const httplib::Request& req, httplib::Response& res) {
    const std::string problem = auth_problem(req);
    std::lock_guard lock(mutex_);
    stats_["requests"].push_back(
        {{"method", req.method}, {"target", req.target}, {"body", req.body}});
    if (problem.empty()) return true;
    stats_["auth_failures"] = stats_["auth_failures"].get<int>() + 1;
    stats_["auth_errors"].push_back(problem);
    reply(res, 401,
          {{"message", "invalid API key: " + problem},
           {"code", "UNAUTHORIZED"},
           {"reason", problem}});
    return false;
  }

  json take_behaviour() {
    std::lock_guard lock(mutex_);
    return behaviour_;
  }

  static void pause(const json& b, const char* field) {
    const int ms = std::clamp(b.value(field, 0), 0, 30000);
    if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }

  // A string in the behaviour is sent verbatim (odd forms such as "0x1p4");
  // a number as a number, or as its decimal text with prices_as_strings.
  static json price(const json& b, const char* field) {
    const json& v = b.at(field);
    if (v.is_string() || !b.value("prices_as_strings", false)) return v;
    return std::to_string(v.get<double>());
  }

  void quote(const std::string& version, const httplib::Request& req, httplib::Response& res) {
    const json b = take_behaviour();
    pause(b, "quote_delay_ms");
    if (!admit(req, res)) return;
    if (version == "v3" && b.value("v3_quotes_404", false))
      return reply(res, 404, {{"message", "Not Found"}});
    if (const int status = b.value("quote_status", 200); status != 200) {
      count_down_quote_fault();
      return reply(res, status,
                   {{"message", b.value("quote_message", std::string("mock quote error"))}});
    }
    if (const auto raw = b.value("quote_raw_body", std::string()); !raw.empty()) {
      res.set_content(raw, "application/json");
      return;
    }
    const json r = json::parse(req.body, nullptr, false);
    const bool shape_ok =
        r.is_object() && r.contains("token_pair") && r["token_pair"].is_object() &&
        r.contains("quantity") && r["quantity"].is_object() && r["quantity"].contains("value") &&
        r["quantity"]["value"].is_string() && r.contains("side") && r["side"].is_string();
    if (!shape_ok) return reply(res, 400, {{"message", "invalid request format"}});
    const std::string side = r["side"];
    if (side != "buy" && side != "sell" && side != "two_way")
      return reply(res, 400, {{"message", "side must be buy, sell or two_way"}});

    IssuedQuote q;
    q.side = side;
    q.base = r["token_pair"].value("base_token", "");
    q.quote_token = r["token_pair"].value("quote_token", "");
    q.amount = r["quantity"]["value"];
    if (r.contains("client_order_id") && r["client_order_id"].is_string())
      q.client_order_id = r["client_order_id"];
    const auto now = SystemClock::now();
    q.expiry = now + std::chrono::milliseconds(b.value("expiry_ms", 5000));
    const std::string id = new_quote_id();
    json out = quote_json(id, q, b, now);
    {
      std::lock_guard lock(mutex_);
      quotes_[id] = q;
      const std::string counter = "quotes_" + version;
      stats_[counter] = stats_[counter].get<int>() + 1;
    }
    reply(res, 200, out);
    if (const int down = b.value("down_after_quote_ms", 0); down > 0) {
      {
        std::lock_guard lock(mutex_);
        behaviour_["down_after_quote_ms"] = 0;  // one-shot
      }
      go_down(std::chrono::milliseconds(down));
    }
  }

  // quote_status applies to quote_status_times quotes (0: every quote).
  void count_down_quote_fault() {
    std::lock_guard lock(mutex_);
    const int times = behaviour_.value("quote_status_times", 0);
    if (times <= 0) return;
    behaviour_["quote_status_times"] = times - 1;
    if (times == 1) behaviour_["quote_status"] = 200;
  }

  void go_down(std::chrono::milliseconds how_long) {
    {
      std::lock_guard lock(mutex_);
      stats_["down_periods"] = stats_.value("down_periods", 0) + 1;
    }
    if (listener_ != nullptr) listener_->go_down(how_long);
  }

  static json quote_json(const std::string& id, const IssuedQuote& q, const json& b,
                         SystemClock::time_point now) {
    return {{"status", "success"},
            {"fx_quote_id", id},
            {"buy_price", q.side == "sell" ? json(nullptr) : price(b, "buy_price")},
            {"sell_price", q.side == "buy" ? json(nullptr) : price(b, "sell_price")},
            {"platform", "api"},
            {"token_pair", {{"base_token", q.base}, {"quote_token", q.quote_token}}},
            {"quantity_requested", {{"token", q.base}, {"value", q.amount}}},
            {"side_requested", q.side},
            {"t_quote", iso(now)},
            {"t_expiry", iso(q.expiry)},
            {"is_filled", false},
            {"side_executed", nullptr},
            {"price_executed", nullptr},
            {"t_execute", nullptr},
            {"error", nullptr},
            {"warnings", json::array()}};
  }

  void execute(const std::string& /*version*/, const httplib::Request& req,
               httplib::Response& res) {
    const json b = take_behaviour();
    {
      std::lock_guard lock(mutex_);
      stats_["execute_attempts"] = stats_["execute_attempts"].get<int>() + 1;
    }
    pause(b, "execute_delay_ms");
    if (!admit(req, res)) return;
    const int status = b.value("execute_status", 200);
    if (status != 200 && !b.value("execute_fills_on_error", false))
      return reply(res, status,
                   {{"message", b.value("execute_message", std::string("mock execute error"))}});
    const json r = json::parse(req.body, nullptr, false);
    if (!r.is_object() || !r.contains("fx_quote_id") || !r["fx_quote_id"].is_string() ||
        !r.contains("side"))
      return reply(res, 400, {{"message", "invalid request format"}});
    const std::string side = r.value("side", "");
    if (side != "buy" && side != "sell")
      return reply(res, 400, {{"message", "side must be buy or sell"}});
    std::unique_lock lock(mutex_);
    const auto it = quotes_.find(r["fx_quote_id"].get<std::string>());
    if (it == quotes_.end()) return reply(res, 400, {{"message", "unknown fx_quote_id"}});
    IssuedQuote& q = it->second;
    const auto now = SystemClock::now();
    if (now >= q.expiry) return reply(res, 400, {{"message", "quote expired"}});
    if (q.executed) return reply(res, 400, {{"message", "quote already executed"}});
    if (q.side != "two_way" && q.side != side)
      return reply(res, 400, {{"message", "side does not match quote"}});
    json out = quote_json(it->first, q, b, now);
    if (!b.value("execute_not_filled", false)) {
      q.executed = true;
      stats_["executes"] = stats_["executes"].get<int>() + 1;
      stats_["fills"].push_back(
          {{"fx_quote_id", it->first}, {"client_order_id", q.client_order_id}, {"t", iso(now)}});
      q.executed_fields = {{"is_filled", true},
                           {"side_executed", side},
                           {"price_executed", price(b, side == "buy" ? "buy_price" : "sell_price")},
                           {"t_execute", iso(now)}};
      out.update(q.executed_fields);
    }
    if (const int ms = std::clamp(b.value("execute_answer_delay_ms", 0), 0, 30000); ms > 0) {
      lock.unlock();  // the fill is recorded; other requests go on meanwhile
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      lock.lock();
    }
    if (status != 200)
      return reply(res, status,
                   {{"message", b.value("execute_message", std::string("mock execute error"))}});
    apply_execute_faults(b, out);
    reply(res, 200, out);
  }

  // A fault set to null is removed by merge_patch: absent means "no fault".
  static void apply_execute_faults(const json& b, json& out) {
    auto fault = [&b](const char* name) -> const json* {
      const auto it = b.find(name);
      return it == b.end() || it->is_null() ? nullptr : &*it;
    };
    if (const json* v = fault("execute_price_executed")) out["price_executed"] = *v;
    if (const json* v = fault("execute_fx_quote_id")) out["fx_quote_id"] = *v;
    if (const json* v = fault("execute_side")) out["side_executed"] = *v;
    if (const json* v = fault("execute_quantity")) out["quantity_requested"]["value"] = *v;
  }

  // GET /v1/quotes/{id}: the quote as it stands (filled or not).
  void lookup(const httplib::Request& req, httplib::Response& res) {
    const json b = take_behaviour();
    pause(b, "lookup_delay_ms");
    if (!admit(req, res)) return;
    std::lock_guard lock(mutex_);
    stats_["lookups"] = stats_.value("lookups", 0) + 1;
    if (const int status = b.value("lookup_status", 200); status != 200)
      return reply(res, status, {{"message", "mock lookup error"}});
    const auto it = quotes_.find(req.matches[1].str());
    if (it == quotes_.end()) return reply(res, 404, {{"message", "quote not found"}});
    json out = quote_json(it->first, it->second, b, SystemClock::now());
    if (it->second.executed) out.update(it->second.executed_fields);
    reply(res, 200, out);
  }

  std::string key_, secret_, passphrase_;
  long max_skew_;
  std::mutex mutex_;
  json behaviour_;
  json stats_;
  std::map<std::string, IssuedQuote> quotes_;
  Listener* listener_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  long max_skew = -1;
  CLI::App cli{"mock FalconX server for falcon-xecutor tests (127.0.0.1 only)"};
  cli.add_option("--port", port, "port on 127.0.0.1")->required()->check(CLI::Range(1, 65535));
  cli.add_option("--max-skew-seconds", max_skew,
                 "reject timestamps further than this from now (default: off)");
  CLI11_PARSE(cli, argc, argv);

  MockFalconx mock(env_or_die("MOCK_FALCONX_API_KEY"), env_or_die("MOCK_FALCONX_SECRET_KEY"),
                   env_or_die("MOCK_FALCONX_PASSPHRASE"), max_skew);
  Listener listener(port, [&mock](httplib::Server& s) { mock.install(s); });
  mock.set_listener(&listener);

  xd::testing::stop_on_sigterm_or_sigint([&listener] { listener.stop(); });
  if (!listener.run()) {
    std::cerr << "mock_falconx: cannot listen on 127.0.0.1:" << port << "\n";
    return 1;
  }
  return 0;
}
