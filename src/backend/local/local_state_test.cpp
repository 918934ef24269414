#include "xdeploy/backend/local/local_state.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "support/scoped_temp_dir.h"

using xd::testing::ScopedTempDir;

using namespace xd;

namespace {

LocalState sample() {
  LocalState s;
  s.slots[Color::Blue] = SlotRecord{{1234, 99887766}, 8081, "fake --port 8081", false};
  s.slots[Color::Green] = SlotRecord{{4321, 11223344}, 8082, "fake --port 8082", true};
  s.router = RouterRecord{{555, 42}, "127.0.0.1", 8080};
  s.active = Color::Green;
  return s;
}

}  // namespace

TEST_CASE("local state survives a round trip through its file") {
  ScopedTempDir dir("xd-local-state");
  const auto file = dir / "state.json";
  REQUIRE(save_local_state(file, sample()).empty());
  const auto loaded = load_local_state(file);
  REQUIRE(loaded.error.empty());
  CHECK(loaded.state == sample());
}

TEST_CASE("a missing local state file is an empty state, not an error") {
  ScopedTempDir dir("xd-local-state");
  const auto loaded = load_local_state(dir / "state.json");
  CHECK(loaded.error.empty());
  CHECK(loaded.state == LocalState{});
}

TEST_CASE("a corrupt local state file is reported, never guessed") {
  ScopedTempDir dir("xd-local-state");
  const auto file = dir / "state.json";
  const std::string bad =
      GENERATE(std::string("{\"version\":1,\"slots\":{\"purple\":{}}}"), std::string("{not json"),
               std::string("{\"version\":7,\"slots\":{}}"),
               std::string("{\"version\":1,\"slots\":{\"blue\":{\"port\":1}}}"));
  std::ofstream(file) << bad;
  const auto loaded = load_local_state(file);
  CHECK_THAT(loaded.error, Catch::Contains(file.string()) && Catch::Contains("corrupt"));
  CHECK(loaded.state == LocalState{});
}
