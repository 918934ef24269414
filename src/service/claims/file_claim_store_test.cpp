#include "file_claim_store.h"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

using namespace xecutor;
namespace fs = std::filesystem;
using Outcome = StoreWrite::Outcome;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    static int n = 0;
    path = fs::temp_directory_path() /
           ("xecutor-claims-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("file_claim_store: the first create wins, every later one conflicts, across instances") {
  TempDir dir;
  FileClaimStore a(dir.path), b(dir.path);
  CHECK(a.create("claims/xo-1", "first").outcome == Outcome::Written);
  CHECK(a.create("claims/xo-1", "again").outcome == Outcome::Conflict);
  CHECK(b.create("claims/xo-1", "other process").outcome == Outcome::Conflict);
  const StoreRead r = b.read("claims/xo-1");
  CHECK(r.outcome == StoreRead::Outcome::Found);
  CHECK(r.content == "first");
  CHECK(b.read("claims/xo-2").outcome == StoreRead::Outcome::Absent);
  // No temp files are left behind.
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir.path / "claims")) {
    (void)e;
    ++files;
  }
  CHECK(files == 1);
  CHECK(a.describe() == "file:" + dir.path.string());
}

TEST_CASE("file_claim_store: of many concurrent creates of one key exactly one is Written") {
  TempDir dir;
  std::atomic<int> written{0}, conflict{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i)
    threads.emplace_back([&, i] {
      FileClaimStore store(dir.path);  // one store per "process"
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
  TempDir dir;
  FileClaimStore store(dir.path);
  REQUIRE(store.create("ledger/day", "v1").outcome == Outcome::Written);
  const StoreRead first = store.read("ledger/day");
  const StoreRead stale = store.read("ledger/day");
  CHECK(store.replace("ledger/day", "v2", first.version).outcome == Outcome::Written);
  CHECK(store.replace("ledger/day", "v2-lost", stale.version).outcome == Outcome::Conflict);
  CHECK(store.read("ledger/day").content == "v2");
  CHECK(store.replace("ledger/absent", "x", first.version).outcome == Outcome::Conflict);
}

TEST_CASE("file_claim_store: bad keys and an unwritable root fail clearly, nothing written") {
  TempDir dir;
  FileClaimStore store(dir.path);
  for (const char* key :
       {"", "../escape", "claims/../x", "claims//x", "claims/x/", "a b", "/abs"}) {
    INFO(key);
    const StoreWrite w = store.create(key, "x");
    CHECK(w.outcome == Outcome::Failed);
    CHECK_THAT(w.error, Catch::Contains("invalid store key"));
  }
  CHECK_FALSE(fs::exists(dir.path));
  fs::create_directories(dir.path);
  const fs::path file = dir.path / "not-a-dir";
  { std::ofstream(file) << "x"; }
  FileClaimStore broken(file);
  const StoreWrite w = broken.create("claims/xo-1", "x");
  CHECK(w.outcome == Outcome::Failed);
  CHECK_THAT(w.error, Catch::Contains("not-a-dir"));
}
