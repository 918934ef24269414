#include "falcon_xecutor/claims/alert_claim.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "file_claim_store.h"
#include "support/scoped_temp_dir.h"

using namespace xecutor;
using xd::testing::ScopedTempDir;
namespace fs = std::filesystem;
using Outcome = StoreWrite::Outcome;

namespace {

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

nlohmann::ordered_json record(const std::string& slot) {
  return {{"identity", "xo-1"}, {"slot", slot}};
}

}  // namespace

TEST_CASE("alert claim: one taker; a claim that may have reached FalconX stays") {
  const ScopedTempDir tmp("xecutor-claims");
  const fs::path root = tmp / "store";  // the store creates it
  FileClaimStore store(root);
  AlertClaim blue(store, "xo-1"), green(store, "xo-1");
  CHECK(blue.take(record("blue")).outcome == Outcome::Written);
  CHECK(blue.held());
  CHECK(green.take(record("green")).outcome == Outcome::Conflict);  // not released: refused
  CHECK_FALSE(green.held());
  const StoreRead r = store.read("claims/xo-1");
  const auto held = nlohmann::json::parse(r.content);
  CHECK(held["slot"] == "blue");
  CHECK(held["nonce"].get<std::string>().size() == 32);
}

TEST_CASE("alert claim: released when the execute never left, the resend takes it over") {
  const ScopedTempDir tmp("xecutor-claims");
  const fs::path root = tmp / "store";  // the store creates it
  FileClaimStore store(root);
  AlertClaim first(store, "xo-1");
  REQUIRE(first.take(record("blue")).outcome == Outcome::Written);
  CHECK(first.release("execute_not_sent", "blue", kNow).empty());
  CHECK_FALSE(first.held());
  const auto released = nlohmann::json::parse(store.read("claims/xo-1").content);
  CHECK(released["released"] == true);
  CHECK(released["reason"] == "execute_not_sent");

  AlertClaim resend(store, "xo-1");  // TradingView's resend, on the other slot
  CHECK(resend.take(record("green")).outcome == Outcome::Written);
  CHECK(nlohmann::json::parse(store.read("claims/xo-1").content)["slot"] == "green");
  AlertClaim another(store, "xo-1");  // and once taken again, it holds
  CHECK(another.take(record("blue")).outcome == Outcome::Conflict);
}

TEST_CASE("alert claim: only the holder's own claim is released") {
  const ScopedTempDir tmp("xecutor-claims");
  const fs::path root = tmp / "store";  // the store creates it
  FileClaimStore store(root);
  AlertClaim first(store, "xo-1");
  REQUIRE(first.take(record("blue")).outcome == Outcome::Written);
  REQUIRE(first.release("deadline", "blue", kNow).empty());
  AlertClaim second(store, "xo-1");
  REQUIRE(second.take(record("green")).outcome == Outcome::Written);
  // A stale holder (first) cannot release the claim the resend now holds.
  CHECK(first.release("deadline", "blue", kNow) == "this request holds no claim");
  AlertClaim never(store, "xo-1");
  CHECK(never.release("deadline", "blue", kNow) == "this request holds no claim");
  CHECK_FALSE(nlohmann::json::parse(store.read("claims/xo-1").content).contains("released"));
}

TEST_CASE("alert claim: racing resends over a released claim: exactly one takes it") {
  const ScopedTempDir tmp("xecutor-claims");
  const fs::path root = tmp / "store";  // the store creates it
  FileClaimStore store(root);
  AlertClaim first(store, "xo-1");
  REQUIRE(first.take(record("blue")).outcome == Outcome::Written);
  REQUIRE(first.release("execute_not_sent", "blue", kNow).empty());
  std::atomic<int> written{0}, conflict{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      FileClaimStore own(root);  // as separate processes would
      AlertClaim c(own, "xo-1");
      const auto w = c.take(record(i % 2 ? "green" : "blue")).outcome;
      (w == Outcome::Written ? written : w == Outcome::Conflict ? conflict : other)++;
    });
  for (auto& t : threads) t.join();
  CHECK(written == 1);
  CHECK(conflict == 7);
  CHECK(other == 0);
}

TEST_CASE("alert claim: a store that cannot answer: no claim, and a release says why") {
  const ScopedTempDir tmp("xecutor-claims");
  const fs::path root = tmp / "store";  // the store creates it
  fs::create_directories(root);
  FileClaimStore store(root / "file-not-dir");
  {
    std::ofstream(root / "file-not-dir") << "x";  // the store's root is a file: every write fails
  }
  AlertClaim c(store, "xo-1");
  CHECK(c.take(record("blue")).outcome == Outcome::Failed);
  CHECK_FALSE(c.held());
  CHECK(c.release("execute_not_sent", "blue", kNow) == "this request holds no claim");
}
