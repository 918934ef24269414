#include "xdeploy/app/operation_record.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace xd {

using nlohmann::json;

std::string now_iso8601() {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
}

json deployment_json(const Deployment& d) {
  json j;
  j["active"] = d.active ? json(std::string(to_string(*d.active))) : json(nullptr);
  j["inactive"] = d.inactive ? json(std::string(to_string(*d.inactive))) : json(nullptr);
  j["deploy"] = d.to_deploy_var();
  if (d.detached_pair) j["detached_pair"] = true;
  return j;
}

std::string result_name(int exit_code) {
  switch (static_cast<ExitCode>(exit_code)) {
    case ExitCode::Ok:
      return "ok";
    case ExitCode::Failed:
      return "failed";
    case ExitCode::Usage:
      return "usage";
    case ExitCode::HealthFailed:
      return "health_failed";
    case ExitCode::Refused:
      return "refused";
    case ExitCode::Locked:
      return "locked";
    case ExitCode::RolledBack:
      return "rolled_back";
    case ExitCode::Interrupted:
      return "interrupted";
    case ExitCode::TimedOut:
      return "timed_out";
  }
  return "failed";
}

json outcome_json(int exit_code, const std::string& error, const std::string& hint) {
  json j{{"ok", exit_code == 0}, {"exit_code", exit_code}, {"result", result_name(exit_code)}};
  if (exit_code != 0) j["error"] = error;
  if (exit_code != 0 && !hint.empty()) j["hint"] = hint;
  return j;
}

namespace {

json commands_json(const std::vector<CommandRecord>& commands) {
  json out = json::array();
  for (const auto& c : commands)
    out.push_back(
        {{"command", c.display}, {"exit_code", c.exit_code}, {"duration_ms", c.duration.count()}});
  return out;
}

json gate_json(const GateRecord& g) {
  json attempts = json::array();
  for (const auto& a : g.result.last_attempts)
    attempts.push_back({{"attempt", a.number},
                        {"at_ms", a.at.count()},
                        {"status", a.status},
                        {"verdict", a.verdict}});
  return {{"color", g.color},
          {"url", g.url},
          {"passed", g.result.passed},
          {"interrupted", g.result.interrupted},
          {"attempts", g.result.attempts},
          {"elapsed_ms", g.result.elapsed.count()},
          {"last_attempts", attempts}};
}

json probe_json(const DowntimeReport& p) {
  return {{"downtime_ms", p.downtime.count()},
          {"failed", p.failed},
          {"total", p.total},
          {"first_new_answer_ms",
           p.first_new_answer ? json(p.first_new_answer->count()) : json(nullptr)},
          {"new_color_served", p.new_color_served}};
}

}  // namespace

json OperationRecord::to_json() const {
  json steps_json = json::array();
  for (const auto& s : steps)
    steps_json.push_back({{"id", s.id},
                          {"description", s.description},
                          {"result", s.result},
                          {"message", s.message},
                          {"duration_ms", s.duration.count()},
                          {"commands", commands_json(s.commands)}});
  json gates_json = json::array();
  for (const auto& g : gates) gates_json.push_back(gate_json(g));
  json j{{"started_at", started_at},
         {"user", user},
         {"host", host},
         {"verb", verb},
         {"backend", backend},
         {"dry_run", dry_run},
         {"from", from ? deployment_json(*from) : json(nullptr)},
         {"to", to ? deployment_json(*to) : json(nullptr)},
         {"steps", steps_json},
         {"gates", gates_json},
         {"gate", gates.empty() ? json(nullptr) : gate_json(gates.front())},
         {"probe", probe ? probe_json(*probe) : json(nullptr)},
         {"result", result},
         {"exit_code", exit_code},
         {"message", message},
         {"duration_ms", duration.count()},
         {"ok", exit_code == 0}};
  if (exit_code != 0) j["error"] = message;
  if (dry_run) j["plan"] = plan;
  return j;
}

}  // namespace xd
