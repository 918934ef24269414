#include "faults.h"

#include <fmt/format.h>

#include <regex>
#include <sstream>
#include <stdexcept>

namespace fake_tf {

namespace {
std::optional<Fault> parse_action(const std::string& action) {
  static const std::regex kSlow(R"(^slow:(\d+)$)");
  std::smatch m;
  if (action == "fail") return Fault{FaultKind::Fail};
  if (action == "fail-after-first") return Fault{FaultKind::FailAfterFirst};
  if (action == "hang") return Fault{FaultKind::Hang};
  if (action == "crash") return Fault{FaultKind::Crash};
  if (action == "lock") return Fault{FaultKind::Lock};
  if (action == "noop") return Fault{FaultKind::Noop};
  if (action == "lie") return Fault{FaultKind::Lie};
  if (action == "garbage") return Fault{FaultKind::Garbage};
  if (std::regex_match(action, m, kSlow)) return Fault{FaultKind::Slow, std::stoi(m[1].str())};
  return std::nullopt;
}

std::string normalize(std::string s) {
  for (auto& c : s)
    if (c == '_' || c == '-') c = ' ';
  return s;
}
}  // namespace

std::optional<Fault> fault_for(const std::string& spec, const std::string& subcommand,
                               int invocation_number) {
  static const std::regex kEntry(R"(^\s*([a-z_ -]+?)(?:#(\d+))?\s*=\s*(\S+)\s*$)");
  std::stringstream ss(spec);
  for (std::string entry; std::getline(ss, entry, ',');) {
    if (entry.find_first_not_of(" \t") == std::string::npos) continue;
    std::smatch m;
    if (!std::regex_match(entry, m, kEntry))
      throw std::invalid_argument(fmt::format("malformed FAKE_TF_FAULTS entry \"{}\"", entry));
    auto fault = parse_action(m[3].str());
    if (!fault)
      throw std::invalid_argument(fmt::format("unknown FAKE_TF_FAULTS action \"{}\"", m[3].str()));
    if (normalize(m[1].str()) != normalize(subcommand)) continue;
    if (m[2].matched && std::stoi(m[2].str()) != invocation_number) continue;
    return fault;
  }
  return std::nullopt;
}

std::set<std::string> drift_addresses(const std::string& spec) {
  std::set<std::string> out;
  std::stringstream ss(spec);
  for (std::string a; std::getline(ss, a, ',');) {
    auto b = a.find_first_not_of(" \t");
    if (b != std::string::npos) out.insert(a.substr(b, a.find_last_not_of(" \t") - b + 1));
  }
  return out;
}

}  // namespace fake_tf
