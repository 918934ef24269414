#include "flags.h"

#include <fmt/format.h>

#include <regex>

namespace fake_tf {

std::optional<bool> parse_go_bool(std::string_view text) {
  static const std::set<std::string_view> kTrue{"1", "t", "T", "true", "TRUE", "True"};
  static const std::set<std::string_view> kFalse{"0", "f", "F", "false", "FALSE", "False"};
  if (kTrue.count(text)) return true;
  if (kFalse.count(text)) return false;
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view text) {
  std::string s(text);
  if (s == "0" || s == "+0" || s == "-0") return std::chrono::milliseconds(0);
  static const std::regex kWhole(R"(^[+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$)");
  if (!std::regex_match(s, kWhole)) return std::nullopt;
  static const std::regex kPart(R"((\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))");
  static const std::map<std::string, double> kUnitMs{
      {"ns", 1e-6}, {"us", 1e-3}, {"µs", 1e-3}, {"ms", 1.0}, {"s", 1e3}, {"m", 6e4}, {"h", 3.6e6}};
  double total = 0;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), kPart); it != std::sregex_iterator();
       ++it) {
    total += std::stod((*it)[1].str()) * kUnitMs.at((*it)[2].str());
  }
  return std::chrono::milliseconds(static_cast<long long>(total));
}

void FlagSet::boolean(const std::string& name, bool* target) {
  flags_[name] = {Kind::Bool, target};
}
void FlagSet::string(const std::string& name, std::string* target) {
  flags_[name] = {Kind::String, target};
}
void FlagSet::repeated(const std::string& name, std::vector<std::string>* target) {
  flags_[name] = {Kind::List, target};
}
void FlagSet::integer(const std::string& name, int* target) {
  flags_[name] = {Kind::Int, target};
}
void FlagSet::duration(const std::string& name, std::chrono::milliseconds* target) {
  flags_[name] = {Kind::Duration, target};
}

void FlagSet::ordered(const std::string& name,
                      std::vector<std::pair<std::string, std::string>>* target) {
  flags_[name] = {Kind::Ordered, target};
}

void FlagSet::assign(const std::string& name, const Flag& flag, const std::string& value) {
  switch (flag.kind) {
    case Kind::Bool: {
      auto b = parse_go_bool(value);
      if (!b)
        throw FlagError(
            fmt::format("invalid boolean value \"{}\" for -{}: parse error", value, name));
      *static_cast<bool*>(flag.target) = *b;
      break;
    }
    case Kind::String:
      *static_cast<std::string*>(flag.target) = value;
      break;
    case Kind::List:
      static_cast<std::vector<std::string>*>(flag.target)->push_back(value);
      break;
    case Kind::Ordered:
      static_cast<std::vector<std::pair<std::string, std::string>>*>(flag.target)
          ->emplace_back(name, value);
      break;
    case Kind::Int: {
      static const std::regex kInt(R"(^[+-]?\d+$)");
      if (!std::regex_match(value, kInt))
        throw FlagError(fmt::format("invalid value \"{}\" for flag -{}: parse error", value, name));
      *static_cast<int*>(flag.target) = std::stoi(value);
      break;
    }
    case Kind::Duration: {
      auto d = parse_go_duration(value);
      if (!d)
        throw FlagError(fmt::format("invalid value \"{}\" for flag -{}: parse error", value, name));
      *static_cast<std::chrono::milliseconds*>(flag.target) = *d;
      break;
    }
  }
  set_.insert(name);
}

// Mirrors flag.FlagSet.parseOne from Go's standard library.
std::vector<std::string> FlagSet::parse(const std::vector<std::string>& args) {
  size_t i = 0;
  while (i < args.size()) {
    const std::string& s = args[i];
    if (s.size() < 2 || s[0] != '-') break;
    size_t minuses = 1;
    if (s[1] == '-') {
      minuses = 2;
      if (s.size() == 2) {  // "--" terminates the flags
        ++i;
        break;
      }
    }
    std::string name = s.substr(minuses);
    if (name.empty() || name[0] == '-' || name[0] == '=')
      throw FlagError(fmt::format("bad flag syntax: {}", s));
    ++i;
    std::optional<std::string> value;
    if (auto eq = name.find('=', 1); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto it = flags_.find(name);
    if (it == flags_.end()) {
      if (name == "help" || name == "h") throw HelpRequested();
      throw FlagError(fmt::format("flag provided but not defined: -{}", name));
    }
    if (it->second.kind == Kind::Bool) {
      assign(name, it->second, value.value_or("true"));
      continue;
    }
    if (!value && i < args.size()) value = args[i++];
    if (!value) throw FlagError(fmt::format("flag needs an argument: -{}", name));
    assign(name, it->second, *value);
  }
  return {args.begin() + static_cast<std::ptrdiff_t>(i), args.end()};
}

}  // namespace fake_tf
