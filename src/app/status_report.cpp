// `xdeploy status` and `xdeploy history`: the read-only verbs. No lock (they
// change nothing), one backend read for status, no backend at all for history.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "health_http.h"
#include "xdeploy/app/verb_runner.h"
#include "xdeploy/history/history_entry.h"
#include "xdeploy/history/history_log.h"
#include "xdeploy/http/health_check.h"

namespace xd {

using nlohmann::json;

namespace {

std::string liveness_name(SlotLiveness l) {
  switch (l) {
    case SlotLiveness::Running:
      return "running";
    case SlotLiveness::Crashed:
      return "crashed";
    case SlotLiveness::Unknown:
      return "unknown";
  }
  return "unknown";
}

struct Probe {
  bool done = false;
  std::string verdict;  // "" healthy
};

Probe probe(const std::string& url, std::optional<Color> expect, const HealthOptions& health) {
  if (url.empty()) return {true, "no health URL"};
  const auto response = http_get(url, health_http_options(health));
  return {true,
          judge_health(response, HealthExpectation{health.status, health.body_contains, expect})};
}

std::string verdict_text(const Probe& p) {
  return p.verdict.empty() ? "healthy" : "UNHEALTHY: " + p.verdict;
}

// What status shows when the public address answered as `holder`: that slot holds the IP
// (its address is the static IP's), the other is its twin.
ClusterState as_seen(ClusterState s, Color holder) {
  s.deployment = Deployment{holder, other(holder), false};
  SlotInfo& slot = s.slots[holder];
  slot.public_ip = *s.static_ip;
  slot.health_url = *s.public_health_url;
  slot.address_unknown = false;
  return s;
}

}  // namespace

int VerbRunner::status() {
  auto state = backend_.read_state();
  if (!state.ok()) {
    console_.error(state.error, state.hint);
    return to_int(state.code);
  }
  std::vector<std::string> drift;
  // --check probes each slot at its address: one the static IP left since the last refresh is
  // unknown, so it is read first (a refresh-only plan, shown, never applied).
  bool unknown = false;
  for (const auto& [color, slot] : state.value->slots) unknown = unknown || slot.address_unknown;
  const bool refresh = options_.status_refresh || (options_.status_check && unknown);
  if (refresh) {
    // What changed outside the backend, read and shown, never written.
    auto report = backend_.inspect_drift(state.value->deployment);
    if (!report.ok()) {
      console_.error(report.error, report.hint);
      return to_int(report.code);
    }
    state.value = report.value->refreshed;
    drift = report.value->findings;
  }
  const auto holder = unrecorded_holder(*state.value, options_.health);
  if (holder) state.value = as_seen(*state.value, *holder);
  const ClusterState& s = *state.value;
  bool healthy = true;
  json slots = json::object();
  std::vector<std::string> lines;
  lines.push_back(fmt::format("backend:   {} ({})", backend_.name(), options_.chdir));
  lines.push_back(fmt::format("state:     {}", s.deployment.describe()));
  for (const auto& [color, slot] : s.slots) {
    const bool active = s.deployment.is_active(color);
    json j{{"instance_name", slot.instance_name},
           {"public_ip", slot.public_ip},
           {"health_url", slot.health_url},
           {"liveness", liveness_name(slot.liveness)},
           {"role", active ? "active" : "inactive"},
           {"build", slot.build.empty() ? json(nullptr) : json(slot.build)},
           {"stale", s.stale(color)},
           {"address_unknown", slot.address_unknown},
           {"broken", slot.broken.empty() ? json(nullptr) : json(slot.broken)}};
    std::string line =
        fmt::format("{:<9}  {:<6} {}  {}  {}", active ? "active:" : "inactive:", to_string(color),
                    slot.instance_name,
                    slot.address_unknown ? "address unknown (the static IP left it; `xdeploy "
                                           "status --refresh` reads it)"
                                         : slot.public_ip,
                    slot.health_url);
    if (!slot.broken.empty())
      line +=
          fmt::format("  BROKEN: {} (`xdeploy ~{}` re-creates it)", slot.broken, to_string(color));
    if (!slot.build.empty())
      line += fmt::format("  build {:.12}{}", slot.build, s.stale(color) ? " (STALE)" : "");
    if (slot.liveness == SlotLiveness::Crashed) line += "  CRASHED";
    if (options_.status_check) {
      const auto p = probe(slot.health_url, color, options_.health);
      healthy = healthy && p.verdict.empty();
      j["health"] = p.verdict.empty() ? "healthy" : p.verdict;
      line += "  " + verdict_text(p);
    }
    slots[std::string(to_string(color))] = j;
    lines.push_back(line);
  }
  json out{{"backend", backend_.name()},
           {"deployment", deployment_json(s.deployment)},
           {"slots", slots},
           {"static_ip", s.static_ip ? json(*s.static_ip) : json(nullptr)},
           {"health_url", s.public_health_url ? json(*s.public_health_url) : json(nullptr)},
           {"current_build", s.current_build ? json(*s.current_build) : json(nullptr)},
           {"public_endpoint_down", s.public_endpoint_down}};
  std::string ip_line = fmt::format("static IP: {}", s.static_ip.value_or("none"));
  if (s.deployment.active) ip_line += fmt::format(" -> {}", to_string(*s.deployment.active));
  if (s.public_health_url) ip_line += fmt::format("  ({})", *s.public_health_url);
  out["attachment_unrecorded"] = holder.has_value();
  if (holder)
    ip_line += fmt::format(
        "  (it answers as {}; the state does not record this attachment, as after a move "
        "interrupted once Lightsail had attached: `xdeploy promote {}` records it)",
        to_string(*holder), to_string(*holder));
  if (s.public_endpoint_down) {
    // Known without probing (local: the router process is gone): not healthy.
    healthy = false;
    ip_line +=
        "  DOWN: nothing serves it (`xdeploy <color>` or `xdeploy promote <color>` restarts it)";
  }
  if (options_.status_check && s.public_health_url && !s.deployment.active) {
    // Nothing is attached: whatever answers there, the service is not up as deployed.
    healthy = false;
    out["public_health"] = "no slot is attached to the static IP";
    ip_line += "  UNHEALTHY: no slot is attached";
  } else if (options_.status_check && s.public_health_url) {
    // The identity check compares who answers on the public address with the state's active.
    const auto p = probe(*s.public_health_url, s.deployment.active, options_.health);
    healthy = healthy && p.verdict.empty();
    out["public_health"] = p.verdict.empty() ? "healthy" : p.verdict;
    ip_line += "  " + verdict_text(p);
  }
  lines.push_back(ip_line);
  if (refresh) {
    out["drift"] = drift;
    lines.push_back(drift.empty() ? "drift:     none (refreshed just now, nothing written)"
                                  : "drift:     refreshed just now, nothing written:");
    for (const auto& d : drift) lines.push_back("  " + d);
  }
  // A remote state's deploy lock: who holds it, on any machine.
  if (auto lock = team_lock_status(lines)) out["lock"] = *lock;
  if (options_.json) {
    out["healthy"] = options_.status_check ? json(healthy) : json(nullptr);
    out["ok"] = healthy;
    out["exit_code"] = to_int(healthy ? ExitCode::Ok : ExitCode::HealthFailed);
    console_.result(out.dump());
  } else {
    for (const auto& l : lines) console_.result(l);
  }
  return to_int(healthy ? ExitCode::Ok : ExitCode::HealthFailed);
}

int VerbRunner::history() {
  const size_t limit = options_.history_limit > 0 ? static_cast<size_t>(options_.history_limit) : 0;
  auto read = HistoryLog(options_.state_dir() + "/history.jsonl").read(limit);
  if (!read.error.empty()) {
    console_.error("cannot read the history: " + read.error);
    return to_int(ExitCode::Failed);
  }
  if (read.skipped_lines > 0)
    console_.warn(fmt::format("{} damaged history line(s) skipped", read.skipped_lines));
  // A remote state's history is every machine's: merged with this one's, each operation once.
  auto team = find_team_state(options_);
  if (!team.error.empty())
    console_.warn("this machine's history only: the shared one is out of reach: " + team.error);
  if (team.team) {
    const auto shared = team.team->history().read(limit);
    if (!shared.error.empty()) {
      console_.error("cannot read the shared history in S3: " + shared.error,
                     "this machine's own records: " + options_.state_dir() + "/history.jsonl");
      return to_int(ExitCode::Failed);
    }
    if (shared.skipped > 0)
      console_.warn(fmt::format("{} damaged shared history object(s) skipped", shared.skipped));
    auto merged = merge_history(std::move(read.records), shared.records, limit);
    read.records.assign(std::make_move_iterator(merged.rbegin()),
                        std::make_move_iterator(merged.rend()));  // oldest first, as locally
  }
  if (options_.json) {
    console_.result(json(read.records).dump());
    return 0;
  }
  if (read.records.empty()) console_.info("no operations recorded yet");
  for (const auto& r : read.records) console_.result(describe_history_record(r));
  return 0;
}

}  // namespace xd
