#pragma once
// Runs planned changes one resource operation at a time in an order Terraform's graph allows
// (destroy-then-create replacements, dependents destroyed first, a dependency's pure delete
// after its dependents are updated), persisting state after each so interruption is truthful.
#include <vector>

#include "config_model.h"
#include "fake_config.h"
#include "planner.h"
#include "state_store.h"
#include "view.h"

namespace fake_tf {

struct ApplyRequest {
  std::vector<Change> changes;
  nlohmann::json refreshed = nlohmann::json::object();  // refreshed at plan, written to state now
  bool fail_after_first = false;                        // FAKE_TF_FAULTS fail-after-first
  Model model;  // the active color and the attestation, for the gate's precondition at apply
};

struct ApplyResult {
  ChangeCounts done;
  std::vector<Diagnostic> diagnostics;  // errors, in order
  bool interrupted = false;
  bool ok() const { return diagnostics.empty() && !interrupted; }
};

// Throws OperationCanceled on a second interrupt (state already persisted up to then).
ApplyResult execute_apply(const ApplyRequest& request, State& state, StateStore& store,
                          const FakeConfig& cfg, const View& view);

// Writes state with fresh outputs.
void persist(State& state, StateStore& store, const FakeConfig& cfg);

}  // namespace fake_tf
