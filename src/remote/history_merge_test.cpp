#include "xdeploy/remote/remote_history.h"

#include <catch2/catch.hpp>

namespace xd {
namespace {
nlohmann::json record(const std::string& at, const std::string& host, const std::string& verb) {
  return {{"started_at", at}, {"host", host}, {"user", "ci"}, {"verb", verb}};
}
}  // namespace

TEST_CASE("local and remote records merge newest first, each operation once") {
  std::vector<nlohmann::json> local{record("2026-12-06T09:00:00.000Z", "a", "teal"),
                                    record("2026-12-06T09:05:00.000Z", "a", "promote green")};
  std::vector<nlohmann::json> remote{record("2026-12-06T09:05:00.000Z", "a", "promote green"),
                                     record("2026-12-06T09:06:00.000Z", "b", "rollback"),
                                     record("2026-12-06T09:01:00.000Z", "b", "cleanup")};
  const auto merged = merge_history(local, remote, 0);
  std::vector<std::string> verbs;
  for (const auto& r : merged) verbs.push_back(r["verb"]);
  CHECK(verbs == std::vector<std::string>{"rollback", "promote green", "cleanup", "teal"});
  CHECK(merge_history(local, remote, 2).size() == 2);
}

TEST_CASE("history object names sort newest first and never collide") {
  using namespace std::chrono;
  const system_clock::time_point t0{milliseconds(1'765'000'000'000)};
  const auto older = history_object_name(t0, "runner-1", "aa");
  const auto newer = history_object_name(t0 + milliseconds(1), "runner/2", "bb");
  CHECK(newer < older);
  CHECK(older == "8234999999999-runner-1-aa.json");
  CHECK(newer == "8234999999998-runner_2-bb.json");
}

}  // namespace xd
