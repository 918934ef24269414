#include "support/fake_backend.h"

#include <utility>

namespace xd::testing {

using xd::ClusterState;
using xd::Result;
using xd::Step;
using xd::StepOutcome;

FakeBackend::FakeBackend(xd::Deployment deployment, std::map<xd::Color, std::string> health_urls)
    : deployment_(deployment), health_urls_(std::move(health_urls)) {}

void FakeBackend::script(const std::string& step_id, Script script) {
  scripts_[step_id] = std::move(script);
}

std::vector<std::string> FakeBackend::applied() const {
  std::vector<std::string> ids;
  for (const auto& call : calls) {
    if (call.rfind("run ", 0) == 0) ids.push_back(call.substr(4));
    if (call.rfind("commit ", 0) == 0) ids.push_back(call.substr(7));
  }
  return ids;
}

ClusterState FakeBackend::state(const std::map<xd::Color, std::string>& urls) const {
  ClusterState s;
  s.deployment = deployment_;
  for (const auto& [color, url] : urls)
    if (deployment_.has(color)) {
      xd::SlotInfo slot;
      slot.color = color;
      slot.instance_name = "web-" + std::string(to_string(color));
      slot.public_ip = "127.0.0.1";
      slot.health_url = url;
      if (auto b = broken.find(color); b != broken.end()) slot.broken = b->second;
      s.slots[color] = slot;
    }
  s.public_health_url = public_health_url;
  s.static_ip = static_ip;
  return s;
}

Result<ClusterState> FakeBackend::read_state() {
  calls.emplace_back("read");
  if (failing_read) return std::exchange(failing_read, std::nullopt).value();
  return {state(health_urls_), xd::ExitCode::Ok, "", "", {}};
}

Result<ClusterState> FakeBackend::refresh_state(const xd::Deployment&,
                                                const std::vector<xd::Color>&) {
  calls.emplace_back("refresh");
  return {state(health_urls_), xd::ExitCode::Ok, "", "", {}};
}

StepOutcome FakeBackend::apply(const Step& step) {
  const auto script = scripts_.find(step.id());
  if (script == scripts_.end()) {
    deployment_ = step.target;
    if (after_step) after_step(step);
    return {xd::ExitCode::Ok, "applied " + step.id(), "", {{"fake " + step.id(), 0, {}}}};
  }
  Script s = std::move(script->second);
  scripts_.erase(script);
  if (s.during) s.during();
  if (s.leaves) deployment_ = *s.leaves;
  return s.outcome;
}

StepOutcome FakeBackend::run(const Step& step, const xd::Deployment&, bool dry_run) {
  calls.push_back((dry_run ? "dry-run " : "run ") + step.id());
  if (dry_run) return {xd::ExitCode::Ok, "would apply " + step.id(), "", {}};
  return apply(step);
}

bool FakeBackend::can_prepare(const Step& step) const {
  return prepares_moves && step.kind == xd::StepKind::SwitchTraffic;
}

StepOutcome FakeBackend::prepare(const Step& step, const xd::Deployment&) {
  calls.push_back("prepare " + step.id());
  if (failing_prepare) return std::exchange(failing_prepare, std::nullopt).value();
  StepOutcome planned{xd::ExitCode::Ok, "planned " + step.id(), "", {}};
  if (!fresh_health_urls.empty()) planned.refreshed = state(fresh_health_urls);
  return planned;
}

StepOutcome FakeBackend::commit(const Step& step, StepOutcome prepared) {
  calls.push_back("commit " + step.id());
  if (!prepared.ok()) return prepared;
  return apply(step);
}

void FakeBackend::discard(const Step& step) {
  calls.push_back("discard " + step.id());
}

std::vector<std::string> FakeBackend::describe(const Step& step, const xd::Deployment&) const {
  return {"fake apply " + step.id()};
}

}  // namespace xd::testing
