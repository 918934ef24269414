#pragma once
// The fixture most fake-terraform tests start from (TEST_CASE_METHOD): a working directory
// whose fake reads health from a local HealthServer, through a successful `init`.
#include <catch2/catch.hpp>

#include "test_support/fake_tf_harness.h"
#include "test_support/health_server.h"

namespace xd::testing {

struct InitialisedWorkdir {
  InitialisedWorkdir() {
    w.fake_config(health_config(server.port()));
    REQUIRE(w.tf({"init"}).exit_code == 0);
  }

  HealthServer server;
  Workdir w;
};

}  // namespace xd::testing
