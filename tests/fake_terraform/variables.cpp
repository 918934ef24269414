#include "variables.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

extern char** environ;

namespace fake_tf {

namespace fs = std::filesystem;

namespace {
std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> sorted_files(const fs::path& dir, const std::string& suffix) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The text of a `variable "NAME" { ... }` block, found by brace matching.
std::string block_body(const std::string& text, size_t open_brace) {
  int depth = 0;
  for (size_t i = open_brace; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    if (text[i] == '}' && --depth == 0) return text.substr(open_brace, i - open_brace + 1);
  }
  return text.substr(open_brace);
}

VariableDecl parse_decl(const std::string& body) {
  static const std::regex kComplex(R"(\btype\s*=\s*(list|set|map|object|tuple|any)\b)");
  static const std::regex kDefault(R"re(\bdefault\s*=\s*"([^"]*)")re");
  VariableDecl d;
  static const std::regex kHasDefault(R"(\bdefault\s*=)");
  d.complex_type = std::regex_search(body, kComplex);
  d.has_default = std::regex_search(body, kHasDefault);
  std::smatch m;
  if (std::regex_search(body, m, kDefault)) d.default_ = m[1].str();
  return d;
}

// tfvars: JSON (`.json` or starting with '{') or `name = "value"` lines.
std::map<std::string, std::string> parse_tfvars(const fs::path& path) {
  std::string text = read_file(path);
  std::map<std::string, std::string> out;
  auto first = text.find_first_not_of(" \t\r\n");
  if (path.extension() == ".json" || (first != std::string::npos && text[first] == '{')) {
    const auto parsed = nlohmann::json::parse(text);
    for (const auto& [k, v] : parsed.items())
      out[k] = v.is_string() ? v.get<std::string>() : v.dump();
    return out;
  }
  static const std::regex kLine(R"re(^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$)re");
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, kLine)) continue;
    std::string v = m[2].str();
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    out[m[1].str()] = v;
  }
  return out;
}
}  // namespace

bool VariableValues::has_errors() const {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == "error"; });
}

bool has_configuration(const fs::path& workdir) {
  return !sorted_files(workdir, ".tf").empty() || !sorted_files(workdir, ".tf.json").empty();
}

Declarations scan_declarations(const fs::path& workdir) {
  static const std::regex kVariable(R"re(variable\s+"([A-Za-z_][A-Za-z0-9_-]*)"\s*\{)re");
  Declarations decls;
  for (const auto& file : sorted_files(workdir, ".tf")) {
    const std::string text = read_file(file);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), kVariable);
         it != std::sregex_iterator(); ++it) {
      size_t brace = static_cast<size_t>(it->position(0) + it->length(0) - 1);
      decls[(*it)[1].str()] = parse_decl(block_body(text, brace));
    }
  }
  return decls;
}

bool is_secret_variable(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* word : {"key", "secret", "passphrase", "token"})
    if (lower.find(word) != std::string::npos) return true;
  return false;
}

VariableValues collect_variables(const fs::path& workdir, const Declarations& decls,
                                 const std::vector<std::pair<std::string, std::string>>& cli) {
  VariableValues r;
  for (const auto& [name, decl] : decls)
    if (decl.default_) r.values[name] = *decl.default_;
  // Lowest precedence: TF_VAR_*; undeclared names are silently ignored.
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (kv.rfind("TF_VAR_", 0) != 0) continue;
    auto eq = kv.find('=');
    std::string name = kv.substr(7, eq - 7);
    if (decls.count(name)) r.values[name] = kv.substr(eq + 1);
  }
  auto take_file = [&](const fs::path& path, bool explicit_file) {
    std::map<std::string, std::string> vals;
    try {
      vals = parse_tfvars(path);
    } catch (const std::exception& e) {
      r.diagnostics.push_back({"error", "Failed to read variables file",
                               fmt::format("Could not parse {}: {}", path.string(), e.what())});
      return;
    }
    for (const auto& [k, v] : vals) {
      if (!decls.count(k)) {
        r.diagnostics.push_back(
            {"warning", "Value for undeclared variable",
             fmt::format("The root module does not declare a variable named \"{}\" but a value "
                         "was found in file \"{}\". If you meant to use this value, add a "
                         "\"variable\" block to the configuration.",
                         k, explicit_file ? path.string() : path.filename().string())});
        continue;
      }
      r.values[k] = v;
    }
  };
  for (const char* auto_file : {"terraform.tfvars", "terraform.tfvars.json"})
    if (fs::exists(workdir / auto_file)) take_file(workdir / auto_file, false);
  auto autos = sorted_files(workdir, ".auto.tfvars");
  auto autos_json = sorted_files(workdir, ".auto.tfvars.json");
  autos.insert(autos.end(), autos_json.begin(), autos_json.end());
  std::sort(autos.begin(), autos.end());
  for (const auto& f : autos) take_file(f, false);

  for (const auto& [flag, raw] : cli) {
    if (flag == "var-file") {
      fs::path p = fs::path(raw).is_absolute() ? fs::path(raw) : workdir / raw;
      if (!fs::exists(p)) {
        r.diagnostics.push_back({"error", "Failed to read variables file",
                                 fmt::format("Given variables file {} does not exist.", raw)});
        continue;
      }
      take_file(p, true);
      continue;
    }
    auto eq = raw.find('=');
    if (eq == std::string::npos) {
      r.diagnostics.push_back(
          {"error", "Invalid -var option",
           fmt::format("The given -var option \"{}\" is not correctly specified. Must be a "
                       "variable name and value separated by an equals sign, like "
                       "-var=\"key=value\".",
                       is_secret_variable(raw) ? "<sensitive>" : raw)});
      continue;
    }
    std::string name = raw.substr(0, eq);
    if (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) {
      r.diagnostics.push_back(
          {"error", "Invalid -var option",
           fmt::format("Variable name \"{}\" is invalid due to trailing space. Did you mean -var="
                       "\"{}=...\"?",
                       name, name.substr(0, name.find_last_not_of(" \t") + 1))});
      continue;
    }
    if (!decls.count(name)) {
      r.diagnostics.push_back(
          {"error", "Value for undeclared variable",
           fmt::format("A variable named \"{}\" was assigned on the command line, but the root "
                       "module does not declare a variable of that name. To use this value, add "
                       "a \"variable\" block to the configuration.",
                       name)});
      continue;
    }
    r.values[name] = raw.substr(eq + 1);
  }
  return r;
}

}  // namespace fake_tf
