#pragma once
// A Backend for in-process tests of the app layer (VerbRunner): the live
// deployment is a value the test sets, every step succeeds and moves it to the
// step's target unless the test scripted otherwise, and everything the runner
// asked for is recorded. Slots' health URLs point wherever the test says
// (SlotServer on 127.0.0.1), so the real health gate and prober run against it.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "xdeploy/backend/backend.h"

namespace xd::testing {

class FakeBackend : public xd::Backend {
 public:
  // What a scripted step does instead of succeeding.
  struct Script {
    xd::StepOutcome outcome;               // returned as is
    std::optional<xd::Deployment> leaves;  // the deployment left behind (default: unchanged)
    std::function<void()> during;          // runs inside the step (a signal, a flip)
  };

  // `health_urls`: each color's health URL, for slots that exist.
  FakeBackend(xd::Deployment deployment, std::map<xd::Color, std::string> health_urls);

  // The next run of the step with this id ("switch-green") follows `script`;
  // later runs of it succeed again.
  void script(const std::string& step_id, Script script);
  // Runs after every step that succeeded (the static IP really moved: flip a server).
  std::function<void(const xd::Step&)> after_step;
  // The public address (through the static IP); none by default.
  std::optional<std::string> public_health_url;
  std::optional<std::string> static_ip;
  // Whether a move is planned in two halves (prepare/commit), as Terraform does.
  bool prepares_moves = false;
  // What a prepared move's plan read fresh (Terraform: its refreshed state): each color's
  // health URL there. Empty: the plan reads nothing fresh.
  std::map<xd::Color, std::string> fresh_health_urls;
  // The next prepare() answers this instead of succeeding (a refused plan, say).
  std::optional<xd::StepOutcome> failing_prepare;
  // Slots the recorded state calls half-built: color -> why.
  std::map<xd::Color, std::string> broken;
  // The next read_state() fails with this (then reads work again).
  std::optional<xd::Result<xd::ClusterState>> failing_read;

  const xd::Deployment& deployment() const { return deployment_; }
  void set_deployment(xd::Deployment d) { deployment_ = d; }

  // What the runner asked for, in order: "run switch-green", "dry-run create-green",
  // "prepare switch-green", "commit switch-green", "discard switch-green", "read", "refresh".
  std::vector<std::string> calls;
  // The steps that changed something (applied), by id.
  std::vector<std::string> applied() const;

  std::string name() const override { return "fake"; }
  xd::Result<xd::ClusterState> read_state() override;
  xd::Result<xd::ClusterState> refresh_state(const xd::Deployment& deployment,
                                             const std::vector<xd::Color>& colors) override;
  xd::StepOutcome run(const xd::Step& step, const xd::Deployment& from, bool dry_run) override;
  bool can_prepare(const xd::Step& step) const override;
  xd::StepOutcome prepare(const xd::Step& step, const xd::Deployment& from) override;
  xd::StepOutcome commit(const xd::Step& step, xd::StepOutcome prepared) override;
  void discard(const xd::Step& step) override;
  std::vector<std::string> describe(const xd::Step& step,
                                    const xd::Deployment& from) const override;

 private:
  xd::ClusterState state(const std::map<xd::Color, std::string>& urls) const;
  xd::StepOutcome apply(const xd::Step& step);

  xd::Deployment deployment_;
  std::map<xd::Color, std::string> health_urls_;
  std::map<std::string, Script> scripts_;
};

}  // namespace xd::testing
