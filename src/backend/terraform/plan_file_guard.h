#pragma once
// A saved plan holds the full prior state and every variable, secrets
// included. It lives only as long as the step that made it: owner-only while
// it exists, removed however the step ends (success, refusal, failure,
// Ctrl-C: interrupts never kill xdeploy, they end the step). A run killed
// outright leaves it behind; the next run removes it under the deploy lock.
#include <filesystem>

namespace xd {

class PlanFileGuard {
 public:
  explicit PlanFileGuard(std::filesystem::path path);
  ~PlanFileGuard();
  PlanFileGuard(const PlanFileGuard&) = delete;
  PlanFileGuard& operator=(const PlanFileGuard&) = delete;
  // Moving hands the duty over (a promote's plan outlives the step that made it).
  PlanFileGuard(PlanFileGuard&& other) noexcept;
  PlanFileGuard& operator=(PlanFileGuard&&) = delete;

  // Terraform created the file with its umask: make it 0600.
  void restrict() const;

 private:
  std::filesystem::path path_;
};

}  // namespace xd
