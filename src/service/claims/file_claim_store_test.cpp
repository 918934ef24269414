#include "file_claim_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>
#include "support/scoped_temp_dir.h"

using namespace xecutor;
using xd::testing::ScopedTempDir;
namespace fs = std::filesystem;
using Outcome = StoreWrite::Outcome;

namespace {}  // namespace

TEST_CASE("file_claim_store: the first create wins, every later one conflicts, across instances") {
  const ScopedTempDir tmp("xecutor-claims");
  const fs::path root = tmp / "store";  // the store creates it
  FileClaimStore a(root), b(root);
  CHECK(a.create("claims/xo-1", "first").outcome == Outcome::Written);
  CHECK(a.create("claims/xo-1", "again").outcome == Outcome::Conflict);
  CHECK(b.create("claims/xo-1", "other process").outcome == Outcome::Conflict);
  const StoreRead r = b.read("claims/xo-1");
  CHECK(r.outcome == StoreRead::Outcome::Found);
  CHECK(r.content == "first");
  CHECK(b.read("claims/xo-2").outcome == StoreRead::Outcome::Absent);
  // No temp files are left behind.
  int files = 0;
  for (const auto& e : fs::directory_iterator(root / "claims")) {
    (void)e;
    ++files;
  }
  CHECK(files == 1);
  CHECK(a.describe() == "file:" + root.string());
}

TEST_CASE("file_claim_store: of many concurrent creates of one key exactly one is Written") {
  const ScopedTempDir tmp("xecutor-claims");
  const fs::path root = tmp / "store";  // the store creates it
  std::atomic<int> written{0}, conflict{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i)
    threads.emplace_back([&, i] {
      FileClaimStore store(root);  // one store per "process"
      switch (store.create("claims/xo-race", "thread " + std::to_string(i)).outcome) {
        case Outcome::Written:
          ++written;
          break;
        case Outcome::Conflict:
          ++conflict;
          break;
        case Outcome::Failed:
          ++failed;
          break;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(written == 1);
  CHECK(conflict == 15);
  CHECK(failed == 0);
}

TEST_CASE("file_claim_store: replace is a compare-and-swap on the version read") {
  const ScopedTempDir tmp("xecutor-claims");
  const fs::path root = tmp / "store";  // the store creates it
  FileClaimStore store(root);
  REQUIRE(store.create("ledger/day", "v1").outcome == Outcome::Written);
  const StoreRead first = store.read("ledger/day");
  const StoreRead stale = store.read("ledger/day");
  CHECK(store.replace("ledger/day", "v2", first.version).outcome == Outcome::Written);
  CHECK(store.replace("ledger/day", "v2-lost", stale.version).outcome == Outcome::Conflict);
  CHECK(store.read("ledger/day").content == "v2");
  CHECK(store.replace("ledger/absent", "x", first.version).outcome == Outcome::Conflict);
}

TEST_CASE("file_claim_store: bad keys and an unwritable root fail clearly, nothing written") {
  const ScopedTempDir tmp("xecutor-claims");
  const fs::path root = tmp / "store";  // the store creates it
  FileClaimStore store(root);
  for (const char* key :
       {"", "../escape", "claims/../x", "claims//x", "claims/x/", "a b", "/abs"}) {
    INFO(key);
    const StoreWrite w = store.create(key, "x");
    CHECK(w.outcome == Outcome::Failed);
    CHECK_THAT(w.error, Catch::Contains("invalid store key"));
  }
  CHECK_FALSE(fs::exists(root));
  fs::create_directories(root);
  const fs::path file = root / "not-a-dir";
  { std::ofstream(file) << "x"; }
  FileClaimStore broken(file);
  const StoreWrite w = broken.create("claims/xo-1", "x");
  CHECK(w.outcome == Outcome::Failed);
  CHECK_THAT(w.error, Catch::Contains("not-a-dir"));
}
