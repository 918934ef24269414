#pragma once
// Fault injection chosen by the test through FAKE_TF_FAULTS ("SUBCMD[#N]=ACTION,...") and drift
// through FAKE_TF_DRIFT ("ADDR,..."). N counts invocations of SUBCMD in the call log, from 1.
#include <optional>
#include <set>
#include <string>

namespace fake_tf {

enum class FaultKind { Fail, FailAfterFirst, Hang, Slow, Crash, Lock, Noop, Lie, Garbage };

struct Fault {
  FaultKind kind;
  int slow_ms = 0;
};

// Throws std::invalid_argument for a malformed FAKE_TF_FAULTS entry (a test bug must be loud).
std::optional<Fault> fault_for(const std::string& spec, const std::string& subcommand,
                               int invocation_number);
std::set<std::string> drift_addresses(const std::string& spec);

}  // namespace fake_tf
