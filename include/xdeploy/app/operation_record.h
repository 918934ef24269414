#pragma once
// What one xdeploy operation did, in one stable JSON object: printed by
// --json, appended to .xdeploy/history.jsonl, read back by `xdeploy history`.
// Keys are a contract with users' scripts: add, never rename.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "xdeploy/backend/backend.h"
#include "xdeploy/core/deployment.h"
#include "xdeploy/http/downtime_prober.h"
#include "xdeploy/http/health_gate.h"

namespace xd {

struct StepRecord {
  std::string id;           // "switch-green"
  std::string description;  // "move the static IP to green"
  std::string result;       // "ok", "failed", "refused", "skipped", "interrupted", "health_failed"
  std::string message;
  std::chrono::milliseconds duration{0};
  std::vector<CommandRecord> commands;
};

struct GateRecord {
  std::string color;
  std::string url;
  GateResult result;
};

struct OperationRecord {
  std::string started_at;  // ISO 8601 UTC
  std::string user;
  std::string host;
  std::string verb;  // as typed: "promote green", "~green"
  std::string backend;
  bool dry_run = false;
  std::optional<Deployment> from;
  std::optional<Deployment> to;  // the state at the end (as far as xdeploy knows)
  std::vector<StepRecord> steps;
  std::vector<GateRecord> gates;
  std::optional<DowntimeReport> probe;
  std::string result =
      "ok";  // ok, noop, refused, failed, health_failed, locked, interrupted, rolled_back, usage
  int exit_code = 0;
  std::string message;
  std::chrono::milliseconds duration{0};
  std::vector<std::string> plan;  // a dry run's step list (under --json it goes here, not stdout)

  nlohmann::json to_json() const;
};

// The --json object of a run that has no OperationRecord (usage errors, a
// failed status, an exception): {"ok":false,"exit_code":N,"result":…,"error":…}.
nlohmann::json outcome_json(int exit_code, const std::string& error, const std::string& hint = {});

nlohmann::json deployment_json(const Deployment& d);
std::string result_name(int exit_code);
std::string now_iso8601();

}  // namespace xd
