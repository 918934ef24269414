#include "xdeploy/app/step_result.h"

namespace xd {

void StepResult::add_records(StepResult later) {
  for (auto& line : later.steps) steps.push_back(std::move(line));
  for (auto& gate : later.gates) gates.push_back(std::move(gate));
  if (later.probe) probe = later.probe;
}

void StepResult::move_records_to(OperationRecord& record) {
  for (auto& line : steps) record.steps.push_back(std::move(line));
  for (auto& gate : gates) record.gates.push_back(std::move(gate));
  if (probe) record.probe = probe;
  steps.clear();
  gates.clear();
  probe.reset();
}

StepRecord StepLine::done(std::string result) && {
  record.result = std::move(result);
  record.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return std::move(record);
}

}  // namespace xd
