#include "falcon_xecutor/webhook/dedup_window.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

using namespace xecutor;
using namespace std::chrono_literals;

namespace {
struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  DedupWindow::Clock fn() {
    return [this] { return now; };
  }
};
}  // namespace

TEST_CASE("service: a key is a duplicate within the window and free after it") {
  FakeClock clock;
  DedupWindow w(60s, clock.fn());
  CHECK(w.reserve("a"));
  CHECK_FALSE(w.reserve("a"));
  CHECK(w.reserve("b"));
  clock.now += 59s;
  CHECK_FALSE(w.reserve("a"));
  clock.now += 1s;
  CHECK(w.reserve("a"));  // expired exactly at the window edge
  CHECK(w.size() == 1);   // "b" expired too; the new "a" remains
}

TEST_CASE("service: release frees a key for a retry and does not disturb later reservations") {
  FakeClock clock;
  DedupWindow w(10s, clock.fn());
  REQUIRE(w.reserve("k"));
  w.release("k");
  clock.now += 5s;
  REQUIRE(w.reserve("k"));  // re-reserved at t=5
  clock.now += 6s;          // t=11: the first (released) entry's expiry must not drop the new one
  CHECK_FALSE(w.reserve("k"));
  clock.now += 4s;  // t=15
  CHECK(w.reserve("k"));
}

TEST_CASE("service: concurrent reservations of one key: exactly one wins") {
  FakeClock clock;
  DedupWindow w(60s, clock.fn());
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      if (w.reserve("same")) ++winners;
    });
  for (auto& t : threads) t.join();
  CHECK(winners == 1);
}
