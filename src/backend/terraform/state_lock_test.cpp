#include "state_lock.h"

#include <catch2/catch.hpp>

using namespace xd;

namespace {

// Terraform 1.11.4's output after `kill -9` of an apply on the S3 backend
// with use_lockfile (captured from the real binary against the emulator).
const char* kHeldLock = R"(
Error: Error acquiring the state lock

Error message: operation error S3: PutObject, https response error StatusCode:
412, RequestID: , HostID: , api error PreconditionFailed: At least one of the
pre-conditions you specified did not hold
Lock Info:
  ID:        8d0c2a5e-3f1b-6a7c-1d2e-0f9a8b7c6d5e
  Path:      tfstate/e2e/terraform.tfstate
  Operation: OperationTypeApply
  Who:       root@vm
  Version:   1.11.4
  Created:   2026-12-01 13:40:01.123456 +0000 UTC
  Info:      


Terraform acquires a state lock to protect the state from being written
by multiple users at the same time. Please resolve the issue above and try
again. For most commands, you can disable locking with the "-lock=false"
flag, but this is not recommended.
)";

}  // namespace

TEST_CASE("a held state lock is read from Terraform's error") {
  auto lock = parse_state_lock_error(kHeldLock);
  REQUIRE(lock);
  CHECK(lock->id == "8d0c2a5e-3f1b-6a7c-1d2e-0f9a8b7c6d5e");
  CHECK(lock->path == "tfstate/e2e/terraform.tfstate");
  CHECK(lock->operation == "OperationTypeApply");
  CHECK(lock->who == "root@vm");
  CHECK(lock->created == "2026-12-01 13:40:01.123456 +0000 UTC");
}

TEST_CASE("the lock inside Terraform's diagnostic frame is read too") {
  auto lock = parse_state_lock_error(
      "│ Error: Error acquiring the state lock\n│ \n│ Lock Info:\n│   ID:        abc-123\n│   "
      "Who:       ops@ci\n");
  REQUIRE(lock);
  CHECK(lock->id == "abc-123");
  CHECK(lock->who == "ops@ci");
}

TEST_CASE("the lock in the -json UI's diagnostic is read too") {
  auto lock = parse_state_lock_error(
      R"({"@level":"info","@message":"Terraform 1.11.4","type":"version"})"
      "\n"
      R"({"@level":"error","@message":"Error: Error acquiring the state lock","diagnostic":)"
      R"({"severity":"error","summary":"Error acquiring the state lock","detail":"Error message: )"
      R"(412\nLock Info:\n  ID:        json-lock-1\n  Who:       ci@runner\n"},"type":"diagnostic"})"
      "\n");
  REQUIRE(lock);
  CHECK(lock->id == "json-lock-1");
  CHECK(lock->who == "ci@runner");
}

TEST_CASE("other errors are not a state lock") {
  CHECK_FALSE(parse_state_lock_error("Error: creating Lightsail Instance: quota exceeded"));
  CHECK_FALSE(parse_state_lock_error("Error: Error acquiring the state lock\n\nno info at all\n"));
  CHECK_FALSE(parse_state_lock_error(""));
}

TEST_CASE("the hint gives the exact force-unlock command and does not run it") {
  auto lock = parse_state_lock_error(kHeldLock);
  REQUIRE(lock);
  auto hint = state_lock_hint(*lock, "/usr/bin/terraform", "infra");
  CHECK_THAT(hint, Catch::Contains("`/usr/bin/terraform -chdir=infra force-unlock "
                                   "8d0c2a5e-3f1b-6a7c-1d2e-0f9a8b7c6d5e`"));
  CHECK_THAT(hint, Catch::Contains("root@vm"));
  CHECK_THAT(hint, Catch::Contains("never unlocks by itself"));
  CHECK_THAT(state_lock_message(*lock),
             Catch::Contains("lock ID 8d0c2a5e-3f1b-6a7c-1d2e-0f9a8b7c6d5e") &&
                 Catch::Contains("OperationTypeApply by root@vm"));
}
