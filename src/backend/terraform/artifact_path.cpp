#include "artifact_path.h"

#include <fmt/format.h>

#include <regex>

#include <nlohmann/json.hpp>

namespace xd {

namespace {

constexpr const char* kName = "artifact_path";

// A double-quoted HCL string with no template sequence: its value. Anything else
// (a heredoc, `${...}`, a function call, a reference) is Terraform's to evaluate.
std::optional<std::string> plain_hcl_string(const std::string& expr) {
  if (expr.size() < 2 || expr.front() != '"') return std::nullopt;
  std::string value;
  for (size_t i = 1; i < expr.size(); ++i) {
    const char c = expr[i];
    if (c == '"') {
      const auto rest = expr.find_first_not_of(" \t\r", i + 1);
      const bool only_comment =
          rest == std::string::npos || expr[rest] == '#' || expr.compare(rest, 2, "//") == 0;
      return only_comment ? std::optional(value) : std::nullopt;
    }
    if ((c == '$' || c == '%') && i + 1 < expr.size() && expr[i + 1] == '{') return std::nullopt;
    if (c == '\\') {
      if (++i >= expr.size()) return std::nullopt;
      const char e = expr[i];
      if (e == 'n')
        value += '\n';
      else if (e == 't')
        value += '\t';
      else if (e == '"' || e == '\\')
        value += e;
      else
        return std::nullopt;  // \uNNNN and friends: rare in a path, not worth a guess
      continue;
    }
    value += c;
  }
  return std::nullopt;  // unterminated: a multi-line expression
}

// The last top-level `artifact_path = ...` of a .tfvars file (Terraform refuses duplicates;
// the last one is as good a reading as any of a file Terraform will reject).
std::optional<ArtifactPath> from_hcl(const VariableSource& source) {
  static const std::regex assignment(R"(^[ \t]*artifact_path[ \t]*=[ \t]*(.*)$)");
  std::optional<ArtifactPath> found;
  size_t start = 0;
  while (start <= source.text.size()) {
    auto end = source.text.find('\n', start);
    if (end == std::string::npos) end = source.text.size();
    const std::string line = source.text.substr(start, end - start);
    std::smatch m;
    if (std::regex_match(line, m, assignment)) {
      ArtifactPath p;
      p.path = plain_hcl_string(m[1].str());
      if (!p.path)
        p.unreadable =
            fmt::format("{} sets {} to an expression, not a plain string", source.origin, kName);
      found = p;
    }
    start = end + 1;
  }
  return found;
}

std::optional<ArtifactPath> from_json(const VariableSource& source) {
  const auto doc = nlohmann::json::parse(source.text, nullptr, false);
  ArtifactPath p;
  if (!doc.is_object()) {
    p.unreadable = fmt::format("{} is not a JSON object", source.origin);
    return p;
  }
  if (!doc.contains(kName)) return std::nullopt;
  if (doc.at(kName).is_string())
    p.path = doc.at(kName).get<std::string>();
  else
    p.unreadable = fmt::format("{} sets {} to something other than a string", source.origin, kName);
  return p;
}

}  // namespace

ArtifactPath resolve_artifact_path(const std::vector<VariableSource>& lowest_first) {
  ArtifactPath winner;
  for (const auto& source : lowest_first) {
    std::optional<ArtifactPath> here;
    switch (source.kind) {
      case VariableSource::Kind::Literal:
        here = ArtifactPath{source.text, ""};
        break;
      case VariableSource::Kind::Hcl:
        here = from_hcl(source);
        break;
      case VariableSource::Kind::Json:
        here = from_json(source);
        break;
    }
    if (here) winner = *here;
  }
  return winner;
}

std::vector<VariableSource> artifact_sources_in_args(const std::vector<std::string>& args) {
  std::vector<VariableSource> sources;
  const std::string prefix = std::string(kName) + "=";
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    // Terraform's flags take `-var=X`, `-var X`, and the same with two dashes.
    if (flag.rfind("--", 0) == 0) flag.erase(0, 1);
    const auto eq = flag.find('=');
    if (eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.erase(eq);
    } else if ((flag == "-var" || flag == "-var-file") && i + 1 < args.size()) {
      value = args[++i];
    } else {
      continue;
    }
    if (flag == "-var" && value.rfind(prefix, 0) == 0)
      sources.push_back({VariableSource::Kind::Literal, "-var", value.substr(prefix.size())});
    else if (flag == "-var-file")
      sources.push_back(
          {value.ends_with(".json") ? VariableSource::Kind::Json : VariableSource::Kind::Hcl, value,
           ""});
  }
  return sources;
}

}  // namespace xd
