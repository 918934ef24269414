#pragma once
// What running a step did, as one value: the outcome the runner reports (exit
// code, message, hint) and what history keeps of it (its step lines, gates and
// downtime report). A compound step (a move and its automatic way back) is the
// sum of the steps it ran: their lines in order, one outcome.
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "xdeploy/app/operation_record.h"
#include "xdeploy/core/exit_code.h"

namespace xd {

struct StepResult {
  StepResult() = default;
  StepResult(ExitCode code, std::string message, std::string hint = {})
      : code(code), message(std::move(message)), hint(std::move(hint)) {}

  ExitCode code = ExitCode::Ok;
  std::string message;            // what happened (on success: what to say, if anything)
  std::string hint;               // what to do next
  std::vector<StepRecord> steps;  // history's lines for what ran, in order
  std::vector<GateRecord> gates;
  std::optional<DowntimeReport> probe;

  bool ok() const { return code == ExitCode::Ok; }

  // This result with one more history line.
  StepResult with(StepRecord line) && {
    steps.push_back(std::move(line));
    return std::move(*this);
  }
  // Appends what `later` recorded after what this one did; the outcome stays
  // this one's (the caller decides how the two outcomes combine).
  void add_records(StepResult later);
  // Moves the records into the operation's history record.
  void move_records_to(OperationRecord& record);
};

// A step's history line while the step runs, timed from its creation.
struct StepLine {
  StepRecord record;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  StepLine(std::string id, std::string description)
      : record{std::move(id), std::move(description), "ok", "", {}, {}} {}
  void add_commands(const std::vector<CommandRecord>& commands) {
    record.commands.insert(record.commands.end(), commands.begin(), commands.end());
  }
  // The finished line: "ok", "failed", "health_failed", … and how long it took.
  StepRecord done(std::string result) &&;
};

}  // namespace xd
