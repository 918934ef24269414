#include "xdeploy/core/planner.h"

#include <fmt/format.h>

namespace xd {
namespace {

std::string name(Color c) {
  return std::string(to_string(c));
}

Refusal refuse(std::string reason, std::string hint) {
  return Refusal{ExitCode::Refused, std::move(reason), std::move(hint)};
}

Step step(StepKind kind, Color color, Deployment target, bool touches_active = false) {
  return Step{kind, color, target, touches_active};
}

Plan make_plan(const Request& r, const Deployment& from, std::vector<Step> steps,
               bool destructive = false) {
  Plan p{r, from, from, std::move(steps), destructive};
  for (const auto& s : p.steps)
    if (is_mutating(s.kind)) p.to = s.target;
  return p;
}

// Gate first, then move the IP, then read the state back: the active slot is
// never detached for a color that has not answered its health check.
Plan promotion(const Request& r, const Deployment& from, Color c) {
  const Deployment to{c, other(c)};
  return make_plan(r, from,
                   {step(StepKind::HealthGate, c, from), step(StepKind::SwitchTraffic, c, to),
                    step(StepKind::VerifyActive, c, to)});
}

Plan creation(const Request& r, const Deployment& from, Color c) {
  return make_plan(r, from, {step(StepKind::CreateSlot, c, Deployment{from.active, c})});
}

Refusal refuse_detached() {
  return refuse("the static IP is attached to neither slot (an interrupted promote?)",
                "run `xdeploy promote <color>` to attach it to the color that should serve");
}

Decision deploy(const Request& r, const Deployment& d) {
  const Color c = *r.color;
  const Color o = other(c);
  if (d.detached_pair) return refuse_detached();
  if (d.empty() || (!d.active && d.inactive == c)) {
    // Create the slot and the static IP, gate the slot at its own address, and only then
    // attach the IP: an unhealthy first build leaves the IP attached to nothing (exit 3).
    const Deployment created{std::nullopt, c};
    const Deployment to{c, std::nullopt};
    return make_plan(r, d,
                     {step(StepKind::Bootstrap, c, created), step(StepKind::HealthGate, c, created),
                      step(StepKind::SwitchTraffic, c, to), step(StepKind::VerifyActive, c, to)});
  }
  if (!d.active)
    return refuse(fmt::format("{} exists but holds no static IP", name(o)),
                  fmt::format("run `xdeploy promote {}` or `xdeploy cleanup` first", name(o)));
  if (d.is_active(c) && !d.inactive)
    return Noop{fmt::format("{} is already the only slot and it is active", name(c))};
  if (d.is_active(c))
    return make_plan(r, d, {step(StepKind::DestroySlot, o, Deployment{c, std::nullopt})}, true);
  if (d.is_inactive(c))
    return refuse(fmt::format("{} exists but is inactive; {} is active", name(c), name(o)),
                  fmt::format("run `xdeploy promote {}`, then `xdeploy {}` to remove {}", name(c),
                              name(c), name(o)));
  return refuse(fmt::format("{} is active: `xdeploy {}` would destroy it", name(o), name(c)),
                fmt::format("run `xdeploy teal`, then `xdeploy promote {}`", name(c)));
}

Decision teal(const Request& r, const Deployment& d) {
  if (d.detached_pair) return refuse_detached();
  if (!d.active)
    return refuse("no active slot to make a twin of",
                  d.empty() ? "run `xdeploy blue` (or `xdeploy green`) first"
                            : "run `xdeploy promote <color>` or `xdeploy cleanup` first");
  const Color twin = other(*d.active);
  if (d.inactive)
    return Noop{fmt::format("{} already exists (inactive); `xdeploy ~{}` replaces it", name(twin),
                            name(twin))};
  return creation(r, d, twin);
}

Decision replace(const Request& r, const Deployment& d) {
  const Color c = *r.color;
  if (d.detached_pair) return refuse_detached();
  if (d.empty())
    return refuse("nothing is deployed", fmt::format("run `xdeploy {}` first", name(c)));
  if (d.is_inactive(c)) return make_plan(r, d, {step(StepKind::ReplaceSlot, c, d)});
  if (!d.active)
    return refuse(
        fmt::format("{} exists but holds no static IP", name(other(c))),
        fmt::format("run `xdeploy promote {}` or `xdeploy cleanup` first", name(other(c))));
  if (!d.is_active(c)) return creation(r, d, c);
  if (!r.force)
    return refuse(fmt::format("{} is active (prod); replacing it takes prod down", name(c)),
                  fmt::format("run `xdeploy ~{}` and `xdeploy promote {}` instead, or pass --force",
                              name(other(c)), name(other(c))));
  // Replacing prod loses its IP with the old instance; the new one gets it back only after
  // it passed the gate, like any other move.
  return make_plan(r, d,
                   {step(StepKind::ReplaceSlot, c, d, true), step(StepKind::HealthGate, c, d),
                    step(StepKind::SwitchTraffic, c, d), step(StepKind::VerifyActive, c, d)},
                   true);
}

Decision promote(const Request& r, const Deployment& d) {
  const Color c = *r.color;
  if (d.is_active(c)) return Noop{fmt::format("{} is already active", name(c))};
  if (!d.has(c))
    return refuse(
        fmt::format("{} is not deployed ({})", name(c), d.describe()),
        d.active ? "run `xdeploy teal` to create it" : fmt::format("run `xdeploy {}`", name(c)));
  return promotion(r, d, c);
}

Decision rollback(const Request& r, const Deployment& d) {
  if (d.detached_pair) return refuse_detached();
  if (!d.inactive || !d.active)
    return refuse(fmt::format("no inactive slot to roll back to ({})", d.describe()),
                  "a rollback needs both slots; `xdeploy status` shows them");
  return promotion(r, d, *d.inactive);
}

Decision cleanup(const Request& r, const Deployment& d) {
  if (d.detached_pair)
    return Noop{
        "nothing cleaned: the static IP is attached to neither slot; `xdeploy promote <color>` "
        "first"};
  if (!d.inactive) return Noop{fmt::format("nothing to clean up ({})", d.describe())};
  if (!d.active)  // a half-done first deploy: finishing it is the user's call, not CI's
    return Noop{
        fmt::format("nothing to clean up: {} holds no static IP yet; `xdeploy {}` finishes it",
                    name(*d.inactive), name(*d.inactive))};
  return make_plan(
      r, d, {step(StepKind::DestroySlot, *d.inactive, Deployment{d.active, std::nullopt})}, true);
}

}  // namespace

Decision decide(const Request& r, const Deployment& current) {
  const bool needs_color =
      r.verb == Verb::Deploy || r.verb == Verb::Replace || r.verb == Verb::Promote;
  if (needs_color && !r.color)
    return Refusal{ExitCode::Usage,
                   fmt::format("`{}` needs a color (blue or green)", to_string(r.verb)), ""};
  switch (r.verb) {
    case Verb::Deploy:
      return deploy(r, current);
    case Verb::Teal:
      return teal(r, current);
    case Verb::Replace:
      return replace(r, current);
    case Verb::Promote:
      return promote(r, current);
    case Verb::Rollback:
      return rollback(r, current);
    case Verb::Cleanup:
      return cleanup(r, current);
  }
  return Refusal{ExitCode::Usage, "unknown verb", ""};
}

}  // namespace xd
