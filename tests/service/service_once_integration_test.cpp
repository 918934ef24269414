// Executions that happen once, everywhere: the real falcon-xecutor binary as
// BLUE and GREEN (two processes) sharing one claim store, against the real
// mock FalconX, which counts every execute. Both store kinds are exercised:
// a shared directory (file:) and the S3 stand-in (s3://, conditional PUTs).
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "service/service_test_support.h"

using nlohmann::json;
using namespace std::chrono_literals;
using namespace xd::testing;

namespace {

const std::string kS3Key = "AKIDTESTCLAIMS";
const std::string kS3Secret = "s3-secret-never-logged";

std::filesystem::path temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "falcon-xecutor-once";
  std::filesystem::create_directories(dir);
  static int counter = 0;
  auto path = dir / (name + "-" + std::to_string(getpid()) + "-" + std::to_string(++counter));
  std::filesystem::remove_all(path);
  return path;
}

struct Mock {
  int port = free_port();
  std::unique_ptr<ChildProcess> process;
  // The alerts' `time:` line in this test (live mode refuses bodies without
  // one): fixed, so every slot sees the same alert, as with TradingView's resends.
  std::string alert_time = iso_utc(std::chrono::system_clock::now());
  Mock() {
    process = start_child({MOCK_FALCONX_BIN, "--port", std::to_string(port)}, mock_falconx_env(),
                          temp_path("mock.log").string());
    REQUIRE(wait_ready(port, "/_admin/stats", /*need_200=*/false));
  }
  json stats() const { return admin_stats(port); }
  void configure(const json& patch) const { REQUIRE(admin_configure(port, patch)); }
};

struct S3 {
  int port = free_port();
  std::unique_ptr<ChildProcess> process;
  S3() {
    process =
        start_child({MOCK_S3_BIN, "--port", std::to_string(port), "--access-key-id", kS3Key},
                    Env{{"MOCK_S3_SECRET_ACCESS_KEY", kS3Secret}}, temp_path("s3.log").string());
    REQUIRE(wait_ready(port, "/_admin/stats", /*need_200=*/false));
  }
  json stats() const { return admin_stats(port); }
  void fail_with(int status) const { REQUIRE(admin_configure(port, {{"fail_status", status}})); }
  Env env() const {
    return {{"XECUTOR_CLAIM_STORE", "s3://claims-bucket/falcon-xecutor"},
            {"XECUTOR_S3_ENDPOINT", "http://127.0.0.1:" + std::to_string(port)},
            {"XECUTOR_S3_REGION", "eu-west-2"},
            {"AWS_ACCESS_KEY_ID", kS3Key},
            {"AWS_SECRET_ACCESS_KEY", kS3Secret}};
  }
};

// The project's AWS endpoint emulator (tests/aws_emulator), S3 only: a
// bucket "claims-bucket" created for the claims. It routes by the SigV4
// credential scope and accepts any signature (the stand-in above checks them).
struct Emulator {
  std::unique_ptr<ChildProcess> process;
  std::string endpoint;
  Emulator() {
    const auto dir = temp_path("emulator");
    std::filesystem::create_directories(dir);
    const auto ready = dir / "ready.json";
    process = start_child({"/usr/bin/python3", AWS_EMULATOR_PY, "serve", "--state-dir",
                           (dir / "state").string(), "--ready-file", ready.string()},
                          Env{{"PATH", "/usr/bin:/bin"}}, (dir / "emulator.log").string());
    for (int i = 0; i < 400 && !std::filesystem::exists(ready); ++i)
      std::this_thread::sleep_for(25ms);  // bounded wait for the ready file
    REQUIRE(std::filesystem::exists(ready));
    std::ifstream in(ready);
    endpoint = json::parse(in)["endpoint"];
    httplib::Client c(endpoint);
    const auto made = c.Put("/claims-bucket",
                            {{"Authorization", "AWS4-HMAC-SHA256 Credential=" + kS3Key +
                                                   "/20261201/eu-west-2/s3/aws4_request, "
                                                   "SignedHeaders=host, Signature=0"}},
                            "", "application/xml");
    REQUIRE(made);
    REQUIRE(made->status == 200);
  }
  Env env() const {
    return {{"XECUTOR_CLAIM_STORE", "s3://claims-bucket/falcon-xecutor"},
            {"XECUTOR_S3_ENDPOINT", endpoint},
            {"XECUTOR_S3_REGION", "eu-west-2"},
            {"AWS_ACCESS_KEY_ID", kS3Key},
            {"AWS_SECRET_ACCESS_KEY", kS3Secret}};
  }
};

// One falcon-xecutor slot in LIVE mode. post() adds the test's `time:` line
// (the stand-in's alert_time) to a body that has none.
struct Slot {
  int port = free_port();
  std::string log_file;
  std::string alert_time;
  std::unique_ptr<ChildProcess> process;
  Slot(const std::string& color, const Mock& mock, const Env& store, const Env& extra = {})
      : log_file(temp_path(color + ".log").string()), alert_time(mock.alert_time) {
    Env env = service_env(mock.port);
    env["XECUTOR_EXECUTE"] = "1";
    env["XECUTOR_FALCONX_TIMEOUT_MS"] = "2000";
    for (const auto& [k, v] : store) env[k] = v;
    for (const auto& [k, v] : extra) env[k] = v;
    process =
        start_child({XECUTOR_BIN, "--port", std::to_string(port), "--slot", color}, env, log_file);
    REQUIRE(wait_ready(port, "/health", /*need_200=*/false));
  }
  httplib::Result post(const std::string& body) const {
    const bool add_time = body.find("time:") == std::string::npos;
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(10, 0);
    return c.Post("/webhook", add_time ? "time: " + alert_time + "\n" + body : body, "text/plain");
  }
  std::string log() const {
    std::ifstream in(log_file);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
};

Env file_store(const std::filesystem::path& dir) {
  return {{"XECUTOR_CLAIM_STORE", "file:" + dir.string()}};
}

std::string outcome_of(const httplib::Result& r) {
  if (!r) return "no answer";
  const json j = json::parse(r->body, nullptr, false);
  return j.is_object() ? j.value("outcome", "?") : "?";
}

// One alert as TradingView delivers it (shared/reference/tradingview-webhooks.md): sent, and
// sent again after any 500-599 answer, up to 3 times. The answers, in order.
std::vector<std::string> deliver(const Slot& slot, const std::string& body) {
  std::vector<std::string> answers;
  for (int send = 0; send < 4; ++send) {
    const auto r = slot.post(body);
    answers.push_back(outcome_of(r));
    if (!r || r->status < 500 || r->status > 599) break;
    std::this_thread::sleep_for(100ms);  // TradingView waits 5 s; the order is what matters
  }
  return answers;
}

// Delivers `body` to every slot from `per_slot` threads each, all at once: the answers of
// each delivery.
std::vector<std::vector<std::string>> deliver_concurrently(const std::vector<const Slot*>& slots,
                                                           const std::string& body, int per_slot) {
  std::mutex m;
  std::vector<std::vector<std::string>> deliveries;
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  const int total = static_cast<int>(slots.size()) * per_slot;
  for (const Slot* slot : slots)
    for (int i = 0; i < per_slot; ++i)
      threads.emplace_back([&, slot] {
        ++ready;
        while (ready < total) std::this_thread::yield();  // release them together
        auto answers = deliver(*slot, body);
        std::lock_guard lock(m);
        deliveries.push_back(std::move(answers));
      });
  for (auto& t : threads) t.join();
  return deliveries;
}

// Concurrent copies of one alert fill once, whatever the timing. A copy fills, or is refused
// with a 409 that TradingView does not resend: already claimed (the other slot, or an earlier
// copy, holds the claim) or duplicate (a copy of it is in flight on the same slot). A copy
// answered 5xx (a claim store slow under I/O load, a quote that expired under a sanitizer's
// slowness) has sent nothing and is resent, as TradingView does, until it ends one of those
// ways. Never a second fill, never a copy left unanswered. Returns how many answers were
// already_claimed (each is one conditional write refused by the store).
std::size_t check_one_fill(const std::vector<std::vector<std::string>>& deliveries,
                           std::size_t total) {
  std::string seen;
  std::size_t fills = 0;
  std::size_t claimed = 0;
  std::size_t ended_right = 0;
  for (const auto& answers : deliveries) {
    for (std::size_t i = 0; i < answers.size(); ++i)
      seen += answers[i] + (i + 1 < answers.size() ? " -> " : "\n");
    fills += static_cast<std::size_t>(std::count(answers.begin(), answers.end(), "executed"));
    claimed +=
        static_cast<std::size_t>(std::count(answers.begin(), answers.end(), "already_claimed"));
    const auto& last = answers.back();
    ended_right += last == "executed" || last == "already_claimed" || last == "duplicate";
  }
  INFO("each copy's answers, first send to last resend:\n" << seen);
  CHECK(deliveries.size() == total);
  CHECK(fills == 1);
  CHECK(ended_right == total);
  return claimed;
}

}  // namespace

TEST_CASE("service_once: blue and green sharing a file store: concurrent, sequence, restart") {
  Mock mock;
  const auto claims = temp_path("claims");
  // Window 0 turns the in-process dedup off: only the shared claim stands between
  // repeats (today's code: one body 3 times past a 2 s window gave 3 executes).
  const Env settings{{"XECUTOR_DEDUP_WINDOW", "0"}};
  mock.configure({{"quote_delay_ms", 100}});  // keep the requests overlapping
  {
    Slot blue("blue", mock, file_store(claims), settings);
    Slot green("green", mock, file_store(claims), settings);
    check_one_fill(deliver_concurrently({&blue, &green}, kBuy, 4), 8);
    CHECK(mock.stats()["executes"] == 1);

    CHECK(outcome_of(blue.post(kBuy)) == "already_claimed");  // in sequence, both slots
    CHECK(outcome_of(green.post(kBuy)) == "already_claimed");
  }
  // Both slots restarted: the claim survives.
  Slot blue("blue", mock, file_store(claims), settings);
  Slot green("green", mock, file_store(claims), settings);
  CHECK(outcome_of(blue.post(kBuy)) == "already_claimed");
  CHECK(outcome_of(green.post(kBuy)) == "already_claimed");
  const json st = mock.stats();
  CHECK(st["executes"] == 1);
  CHECK(st["execute_attempts"] == 1);
  CHECK(st["auth_failures"] == 0);
}

TEST_CASE("service_once: five byte variants of one order execute once; client_order_id is sent") {
  Mock mock;
  const auto claims = temp_path("claims");
  Slot blue("blue", mock, file_store(claims));
  Slot green("green", mock, file_store(claims));
  const std::vector<std::string> variants{
      "BUY\n0.1 BTC\n30000 USD\nsecret: " + kHookSecret,
      "BUY\r\n0.1 BTC\r\n30000 USD\r\nsecret: " + kHookSecret + "\r\n",
      "secret: " + kHookSecret + "\nBUY\n0.10 BTC\n30000.0 USD\n\n",
      "BUY\n000.1 BTC\n30000.000 USD\nsecret:   " + kHookSecret + "  ",
      "BUY\n0.1 BTC\n30000 USD\n\nsecret: " + kHookSecret + "\n\n",
  };
  std::multiset<std::string> outcomes;
  std::string identity;
  for (std::size_t i = 0; i < variants.size(); ++i) {
    const auto r = (i % 2 == 0 ? blue : green).post(variants[i]);
    outcomes.insert(outcome_of(r));
    if (r && r->status == 200) identity = json::parse(r->body)["client_order_id"];
  }
  CHECK(outcomes.count("executed") == 1);
  CHECK(outcomes.count("duplicate") + outcomes.count("already_claimed") == 4);
  const json st = mock.stats();
  CHECK(st["executes"] == 1);
  REQUIRE(identity.rfind("xo-", 0) == 0);
  const json quote_request = json::parse(st["requests"][0]["body"].get<std::string>());
  CHECK(quote_request["client_order_id"] == identity);
  CHECK(std::filesystem::exists(claims / "claims" / identity));
}

TEST_CASE("service_once: time: lines: a fresh alert trades once, a replay is refused 409") {
  Mock mock;
  const auto claims = temp_path("claims");
  Slot blue("blue", mock, file_store(claims), {{"XECUTOR_MAX_ALERT_AGE", "30s"}});
  const auto now = std::chrono::system_clock::now();
  const std::string fresh = "id: Long\ntime: " + iso_utc(now) + "\n" + kBuy;
  const auto first = blue.post(fresh);
  CHECK(outcome_of(first) == "executed");
  const auto again = blue.post(fresh);  // the same captured alert, replayed
  REQUIRE(again);
  CHECK(again->status == 409);
  const std::string old =
      "id: Long\ntime: " + iso_utc(now - std::chrono::seconds(31)) + "\n" + kBuy;
  const auto replay = blue.post(old);
  REQUIRE(replay);
  CHECK(replay->status == 409);
  CHECK(outcome_of(replay) == "alert_too_old");
  const std::string future =
      "id: Long\ntime: " + iso_utc(now + std::chrono::minutes(2)) + "\n" + kBuy;
  const auto ahead = blue.post(future);
  REQUIRE(ahead);
  CHECK(ahead->status == 409);
  CHECK(outcome_of(ahead) == "alert_from_future");
  const json st = mock.stats();
  CHECK(st["executes"] == 1);
  CHECK(st["quotes_v3"] == 1);  // refused alerts never reach FalconX
}

TEST_CASE("service_once: blue and green sharing the S3 stand-in: concurrent, sequence, restart") {
  Mock mock;
  S3 s3;
  const Env settings{{"XECUTOR_DEDUP_WINDOW", "0"}};
  mock.configure({{"quote_delay_ms", 100}});
  std::string blue_log;
  std::size_t refused_writes = 0;
  {
    Slot blue("blue", mock, s3.env(), settings);
    Slot green("green", mock, s3.env(), settings);
    refused_writes = check_one_fill(deliver_concurrently({&blue, &green}, kBuy, 3), 6);
    CHECK(outcome_of(green.post(kBuy)) == "already_claimed");
    blue_log = blue.log();
  }
  Slot blue("blue", mock, s3.env(), settings);
  CHECK(outcome_of(blue.post(kBuy)) == "already_claimed");
  CHECK(mock.stats()["executes"] == 1);
  const json st = s3.stats();
  CHECK(st["stats"]["put_written"] == 1);
  CHECK_FALSE(st["stats"].contains("signature_failures"));  // every SigV4 signature verified
  // Every refused copy was a conditional PUT the store refused, and so were the two sent after.
  CHECK(st["stats"]["put_precondition_failed"] == refused_writes + 2);
  CHECK(st["objects"].size() == 1);
  CHECK(st["objects"].begin().key().rfind("claims-bucket/falcon-xecutor/claims/xo-", 0) == 0);
  CHECK_THAT(blue_log, Catch::Contains("s3://claims-bucket/falcon-xecutor/"));
  CHECK_THAT(blue_log + blue.log(), !Catch::Contains(kS3Secret));
}

TEST_CASE("service_once: a claim store that cannot answer means 503 and no execute") {
  Mock mock;
  S3 s3;
  Slot blue("blue", mock, s3.env());
  s3.fail_with(500);
  const auto r = blue.post(kBuy);
  REQUIRE(r);
  CHECK(r->status == 503);
  CHECK(outcome_of(r) == "claim_unavailable");
  CHECK_THAT(r->body, Catch::Contains("S3 HTTP 500 InternalError"));
  CHECK(mock.stats()["execute_attempts"] == 0);
  s3.fail_with(0);
  CHECK(outcome_of(blue.post(kBuy)) == "executed");  // the failure left the alert retryable
  // A store that is not there at all (nothing listens on the port).
  const auto dead = free_port();
  Slot green("green", mock,
             {{"XECUTOR_CLAIM_STORE", "s3://claims-bucket/x"},
              {"XECUTOR_S3_ENDPOINT", "http://127.0.0.1:" + std::to_string(dead)},
              {"XECUTOR_S3_REGION", "eu-west-2"},
              {"AWS_ACCESS_KEY_ID", kS3Key},
              {"AWS_SECRET_ACCESS_KEY", kS3Secret}});
  const auto down = green.post("SELL\n0.1 BTC\n29990 USD\nsecret: " + kHookSecret);
  CHECK(outcome_of(down) == "claim_unavailable");
  // Wrong credentials: S3 refuses the signature; the secret never shows in the answer.
  Env wrong = s3.env();
  wrong["AWS_SECRET_ACCESS_KEY"] = "not-the-secret";
  Slot teal("green", mock, wrong);
  const auto refused = teal.post("SELL\n0.2 BTC\n29990 USD\nsecret: " + kHookSecret);
  REQUIRE(refused);
  CHECK(outcome_of(refused) == "claim_unavailable");
  CHECK_THAT(refused->body, Catch::Contains("S3 HTTP 403 SignatureDoesNotMatch"));
  CHECK_THAT(refused->body + teal.log(), !Catch::Contains("not-the-secret"));
  CHECK(s3.stats()["stats"]["signature_failures"] == 1);
  CHECK(mock.stats()["executes"] == 1);
}

TEST_CASE("service_once: live mode without a claim store refuses orders (503)") {
  Mock mock;
  Slot blue("blue", mock, {});
  const auto r = blue.post(kBuy);
  REQUIRE(r);
  CHECK(r->status == 503);
  CHECK_THAT(r->body, Catch::Contains("XECUTOR_CLAIM_STORE"));
  CHECK(mock.stats()["quotes_v3"] == 0);
}

TEST_CASE("service_once: the daily notional cap is shared by blue and green, exact at the cap") {
  Mock mock;
  S3 s3;
  const Env cap{{"XECUTOR_MAX_DAILY_NOTIONAL", "6000"}};
  Slot blue("blue", mock, s3.env(), cap);
  Slot green("green", mock, s3.env(), cap);
  // A refused execute gives its notional back.
  mock.configure({{"execute_status", 400}});
  CHECK(outcome_of(green.post("SELL\n0.1 BTC\n29990 USD\nsecret: " + kHookSecret)) ==
        "execute_rejected");
  mock.configure({{"execute_status", 200}});
  // 0.1 BTC at the mock's 30000 = 3000 USD each: two fit exactly, the third does not.
  CHECK(outcome_of(blue.post(kBuy)) == "executed");
  CHECK(outcome_of(green.post("BUY\n0.1 BTC\n30001 USD\nsecret: " + kHookSecret)) == "executed");
  const auto third = blue.post("BUY\n0.1 BTC\n30002 USD\nsecret: " + kHookSecret);
  REQUIRE(third);
  CHECK(third->status == 422);
  CHECK(outcome_of(third) == "daily_notional_limit");
  CHECK(json::parse(third->body)["daily_notional_before"] == "6000");
  CHECK(mock.stats()["executes"] == 2);
  const json objects = s3.stats()["objects"];
  bool found = false;
  for (const auto& [key, content] : objects.items())
    if (key.find("daily-notional/") != std::string::npos) {
      found = true;
      CHECK_THAT(content.get<std::string>(), Catch::Contains(R"("total":"6000","trades":2)"));
    }
  CHECK(found);
}

TEST_CASE("service_once: blue and green against the AWS endpoint emulator's S3: once, daily cap") {
  Mock mock;
  Emulator aws;
  mock.configure({{"quote_delay_ms", 100}});
  {
    Slot blue("blue", mock, aws.env(), {{"XECUTOR_DEDUP_WINDOW", "0"}});
    Slot green("green", mock, aws.env(), {{"XECUTOR_DEDUP_WINDOW", "0"}});
    check_one_fill(deliver_concurrently({&blue, &green}, kBuy, 3), 6);
    CHECK(outcome_of(green.post(kBuy)) == "already_claimed");
  }
  // Restarted, now with a daily cap kept in the emulator too (If-Match).
  mock.configure({{"quote_delay_ms", 0}});
  const Env capped{{"XECUTOR_MAX_DAILY_NOTIONAL", "6000"}};
  Slot blue("blue", mock, aws.env(), capped);
  Slot green("green", mock, aws.env(), capped);
  CHECK(outcome_of(blue.post(kBuy)) == "already_claimed");  // its held notional is given back
  CHECK(outcome_of(green.post("BUY\n0.1 BTC\n30001 USD\nsecret: " + kHookSecret)) == "executed");
  CHECK(outcome_of(blue.post("BUY\n0.1 BTC\n30002 USD\nsecret: " + kHookSecret)) == "executed");
  CHECK(outcome_of(green.post("BUY\n0.1 BTC\n30003 USD\nsecret: " + kHookSecret)) ==
        "daily_notional_limit");
  CHECK(mock.stats()["executes"] == 3);
}
