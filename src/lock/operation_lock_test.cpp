#include "xdeploy/lock/operation_lock.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "support/scoped_temp_dir.h"

using xd::testing::ScopedTempDir;

namespace xd {

using namespace std::chrono_literals;

TEST_CASE("the flock port behaves as the deploy lock: held, refused naming the holder, released") {
  ScopedTempDir dir;
  auto port = flock_operation_lock(dir / ".xdeploy/lock");
  LockRefusal refusal;
  auto held = port->acquire({current_process_holder("promote green"), 0ms, {}, {}}, &refusal);
  REQUIRE(held);
  CHECK(held->inheritable_fd() >= 0);
  const auto id = held->identity();
  REQUIRE(id);
  struct stat info {};
  REQUIRE(stat((dir / ".xdeploy/lock").c_str(), &info) == 0);
  CHECK(id->inode == info.st_ino);
  CHECK(id->boot_id == current_boot_id());
  CHECK_FALSE(id->boot_id.empty());

  auto again = flock_operation_lock(dir / ".xdeploy/lock");
  CHECK_FALSE(again->acquire({current_process_holder("rollback"), 0ms, {}, {}}, &refusal));
  CHECK(refusal.busy);
  CHECK_THAT(refusal.message, Catch::Contains("`promote green`"));
  CHECK(held->release().empty());
  CHECK(again->acquire({current_process_holder("rollback"), 0ms, {}, {}}, &refusal));
}

TEST_CASE("a chain takes the first lock, then the second, and gives the second the first's id") {
  ScopedTempDir dir;
  auto chain = chain_locks(flock_operation_lock(dir / "a"), flock_operation_lock(dir / "b"));
  CHECK(chain->describe() == (dir / "a").string() + " and " + (dir / "b").string());
  LockRefusal refusal;
  auto held = chain->acquire({current_process_holder("teal"), 0ms, {}, {}}, &refusal);
  REQUIRE(held);
  struct stat a {};
  REQUIRE(stat((dir / "a").c_str(), &a) == 0);
  CHECK(held->identity()->inode == a.st_ino);  // the first lock's, for the remote one's proof

  // The second alone is held: a chain whose first lock is free still fails, and lets the first go.
  auto other = chain_locks(flock_operation_lock(dir / "c"), flock_operation_lock(dir / "b"));
  CHECK_FALSE(other->acquire({current_process_holder("rollback"), 0ms, {}, {}}, &refusal));
  CHECK(refusal.busy);
  auto c = flock_operation_lock(dir / "c");
  CHECK(c->acquire({current_process_holder("x"), 0ms, {}, {}}, &refusal));

  held->release();
  CHECK(other->acquire({current_process_holder("rollback"), 0ms, {}, {}}, &refusal) != nullptr);
}

}  // namespace xd
