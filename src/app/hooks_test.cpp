#include "xdeploy/app/hooks.h"

#include <catch2/catch.hpp>

#include <map>

namespace xd {
namespace {

std::map<std::string, std::string> as_map(const Environment& env) {
  return {env.begin(), env.end()};
}

OperationRecord finished(const std::string& verb, int exit_code, std::string result = "") {
  OperationRecord r;
  r.verb = verb;
  r.exit_code = exit_code;
  r.result = result.empty() ? result_name(exit_code) : result;
  r.from = Deployment{Color::Blue, Color::Green};
  r.to = Deployment{Color::Green, Color::Blue};
  r.steps.push_back({"state", "read the current state", "ok", "", {}, {}});
  return r;
}

}  // namespace

TEST_CASE("which verb fires which pre-hook") {
  CHECK(pre_hook_for(Verb::Deploy) == Hook::PreDeploy);
  CHECK(pre_hook_for(Verb::Teal) == Hook::PreDeploy);
  CHECK(pre_hook_for(Verb::Replace) == Hook::PreDeploy);
  CHECK(pre_hook_for(Verb::Promote) == Hook::PrePromote);
  CHECK(pre_hook_for(Verb::Rollback) == Hook::PrePromote);
  CHECK_FALSE(pre_hook_for(Verb::Cleanup));
}

TEST_CASE("post hooks: success per verb, on-failure for any non-zero exit") {
  using V = std::vector<Hook>;
  CHECK(post_hooks_for(Verb::Promote, finished("promote green", 0)) == V{Hook::PostPromote});
  CHECK(post_hooks_for(Verb::Rollback, finished("rollback", 0)) == V{Hook::PostRollback});
  CHECK(post_hooks_for(Verb::Cleanup, finished("cleanup", 0)) == V{Hook::PostCleanup});
  CHECK(post_hooks_for(Verb::Teal, finished("teal", 0)).empty());
  CHECK(post_hooks_for(Verb::Teal, finished("teal", 1)) == V{Hook::OnFailure});
  CHECK(post_hooks_for(Verb::Promote, finished("promote green", 3)) == V{Hook::OnFailure});
  CHECK(post_hooks_for(Verb::Promote, finished("promote green", 4)) == V{Hook::OnFailure});
}

TEST_CASE(
    "an automatic rollback fires post-rollback and on-failure; --no-auto-rollback only "
    "on-failure") {
  auto back = finished("promote green", 6);
  back.to = back.from;  // blue active again
  CHECK(post_hooks_for(Verb::Promote, back) ==
        std::vector<Hook>{Hook::PostRollback, Hook::OnFailure});
  const auto left = finished("promote green", 6);  // green stayed active
  CHECK(post_hooks_for(Verb::Promote, left) == std::vector<Hook>{Hook::OnFailure});
}

TEST_CASE("no hooks for a dry run, a no-op, or an operation that never got the lock") {
  auto dry = finished("promote green", 0);
  dry.dry_run = true;
  CHECK(post_hooks_for(Verb::Promote, dry).empty());
  CHECK(post_hooks_for(Verb::Promote, finished("promote green", 0, "noop")).empty());
  auto locked = finished("promote green", 5);
  locked.steps.clear();
  CHECK(post_hooks_for(Verb::Promote, locked).empty());
}

TEST_CASE("the subject color of each verb") {
  Plan p;
  p.from = Deployment{Color::Blue, std::nullopt};
  p.to = Deployment{Color::Blue, Color::Green};
  p.request.verb = Verb::Teal;
  CHECK(subject_color(p) == Color::Green);
  p.request.verb = Verb::Rollback;
  p.from = Deployment{Color::Green, Color::Blue};
  p.to = Deployment{Color::Blue, Color::Green};
  CHECK(subject_color(p) == Color::Blue);
  p.request.verb = Verb::Cleanup;
  p.to = Deployment{Color::Green, std::nullopt};
  CHECK(subject_color(p) == Color::Blue);
  p.request.verb = Verb::Promote;
  p.request.color = Color::Green;
  CHECK(subject_color(p) == Color::Green);
}

TEST_CASE("the hook environment") {
  auto record = finished("promote green", 0);
  DowntimeReport probe;
  probe.downtime = std::chrono::milliseconds(42);
  record.probe = probe;
  const auto post = as_map(hook_environment(Hook::PostPromote, record, Color::Green));
  CHECK(post.at("XDEPLOY_HOOK") == "post-promote");
  CHECK(post.at("XDEPLOY_VERB") == "promote green");
  CHECK(post.at("XDEPLOY_FROM") == "blue");
  CHECK(post.at("XDEPLOY_TO") == "green");
  CHECK(post.at("XDEPLOY_COLOR") == "green");
  CHECK(post.at("XDEPLOY_DOWNTIME_MS") == "42");
  CHECK(post.at("XDEPLOY_EXIT_CODE") == "0");
  const auto json = nlohmann::json::parse(post.at("XDEPLOY_RECORD"));
  CHECK(json["verb"] == "promote green");
  CHECK(json["exit_code"] == 0);

  record.probe.reset();
  record.from = Deployment{};
  const auto pre = as_map(hook_environment(Hook::PreDeploy, record, Color::Blue));
  CHECK(pre.at("XDEPLOY_FROM").empty());
  CHECK(pre.at("XDEPLOY_DOWNTIME_MS").empty());
  CHECK(pre.at("XDEPLOY_EXIT_CODE").empty());
}

}  // namespace xd
