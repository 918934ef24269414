#include "state_lock.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace xd {

namespace {

// "  ID:        abc" (possibly inside Terraform's "│ " diagnostic frame) -> "abc".
std::optional<std::string> field(const std::string& line, const std::string& name) {
  auto start = line.find_first_not_of(" │\t");
  if (start == std::string::npos || line.compare(start, name.size() + 1, name + ":") != 0)
    return std::nullopt;
  auto value = line.find_first_not_of(" \t", start + name.size() + 1);
  if (value == std::string::npos) return std::string();
  auto end = line.find_last_not_of(" \t\r");
  return line.substr(value, end - value + 1);
}

// The -json UI (every `plan -json`) carries the diagnostic as one JSON
// line whose detail holds the Lock Info block; unfold it into plain text.
std::string unfold_json_diagnostics(const std::string& text) {
  std::string out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto event = nlohmann::json::parse(line, nullptr, false);
    if (event.is_object() && event.contains("diagnostic") && event["diagnostic"].is_object()) {
      const auto& d = event["diagnostic"];
      out += "Error: " + d.value("summary", std::string()) + "\n\n" +
             d.value("detail", std::string()) + "\n";
    } else {
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace

std::optional<StateLockInfo> parse_state_lock_error(const std::string& terraform_text) {
  const std::string terraform_output = unfold_json_diagnostics(terraform_text);
  if (terraform_output.find("Error acquiring the state lock") == std::string::npos)
    return std::nullopt;
  auto info_at = terraform_output.find("Lock Info:");
  if (info_at == std::string::npos) return std::nullopt;
  StateLockInfo lock;
  std::istringstream lines(terraform_output.substr(info_at));
  for (std::string line; std::getline(lines, line);) {
    if (auto v = field(line, "ID"))
      lock.id = *v;
    else if (auto v = field(line, "Path"))
      lock.path = *v;
    else if (auto v = field(line, "Operation"))
      lock.operation = *v;
    else if (auto v = field(line, "Who"))
      lock.who = *v;
    else if (auto v = field(line, "Created"))
      lock.created = *v;
  }
  if (lock.id.empty()) return std::nullopt;
  return lock;
}

std::string state_lock_message(const StateLockInfo& lock) {
  return fmt::format("Terraform's state is locked: lock ID {} ({} by {} since {}{})", lock.id,
                     lock.operation.empty() ? "an operation" : lock.operation,
                     lock.who.empty() ? "someone" : lock.who,
                     lock.created.empty() ? "?" : lock.created,
                     lock.path.empty() ? "" : ", state " + lock.path);
}

std::string state_lock_hint(const StateLockInfo& lock, const std::string& terraform_binary,
                            const std::string& chdir) {
  return fmt::format(
      "nothing was applied. If that Terraform is still running, wait for it and run the same "
      "xdeploy command again. If it is gone (killed, crashed, machine lost), its lock stays: check "
      "that no terraform runs on {}, then release it with `{} -chdir={} force-unlock {}` and run "
      "the same xdeploy command again (xdeploy never unlocks by itself)",
      lock.who.empty() ? "the holder's machine" : lock.who, terraform_binary, chdir, lock.id);
}

}  // namespace xd
