#include "goal_check.h"

namespace xd {

namespace {

bool wants_active(const Request& r, Color active) {
  switch (r.verb) {
    case Verb::Promote:
    case Verb::Deploy:
      return r.color == active;
    case Verb::Rollback:
      return true;  // a rollback that found nothing to do wants prod where it is
    default:
      return false;
  }
}

}  // namespace

std::optional<Plan> repair_instead_of_noop(const Request& request, const ClusterState& state,
                                           const AnswersAs& answers_as) {
  const Deployment& d = state.deployment;
  if (request.verb == Verb::Teal && d.inactive) {
    const SlotInfo* slot = state.slot(*d.inactive);
    if (slot && !slot->broken.empty()) {
      const Color c = *d.inactive;
      return Plan{request, d, d, {Step{StepKind::ReplaceSlot, c, d, false}}, true};
    }
  }
  if (d.active && wants_active(request, *d.active) && state.public_health_url &&
      !answers_as(*state.public_health_url, *d.active)) {
    const Color c = *d.active;
    return Plan{
        request,
        d,
        d,
        {Step{StepKind::HealthGate, c, d, false}, Step{StepKind::SwitchTraffic, c, d, false},
         Step{StepKind::VerifyActive, c, d, false}},
        false};
  }
  return std::nullopt;
}

}  // namespace xd
