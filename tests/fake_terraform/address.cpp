#include "address.h"

#include <cctype>

namespace fake_tf {

namespace {
std::string step_string(const std::string& name, const std::optional<std::string>& key) {
  return key ? name + "[" + *key + "]" : name;
}

class Scanner {
 public:
  explicit Scanner(const std::string& s) : s_(s) {}
  bool done() const { return pos_ >= s_.size(); }
  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::optional<std::string> identifier() {
    size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) ||
                                s_[pos_] == '_' || s_[pos_] == '-'))
      ++pos_;
    if (start == pos_ || std::isdigit(static_cast<unsigned char>(s_[start]))) return std::nullopt;
    return s_.substr(start, pos_ - start);
  }
  // [ "string" ] or [ 123 ]; returns the key text between the brackets, quotes kept.
  std::optional<std::optional<std::string>> index() {
    if (!eat('[')) return std::optional<std::string>{};
    size_t start = pos_;
    if (eat('"')) {
      while (pos_ < s_.size() && s_[pos_] != '"') ++pos_;
      if (!eat('"')) return std::nullopt;
    } else {
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (start == pos_) return std::nullopt;
    }
    std::string key = s_.substr(start, pos_ - start);
    if (!eat(']')) return std::nullopt;
    return std::optional<std::string>{key};
  }

 private:
  const std::string& s_;
  size_t pos_ = 0;
};
}  // namespace

std::string Address::module_string() const {
  std::string out;
  for (const auto& m : modules) {
    if (!out.empty()) out += ".";
    out += "module." + step_string(m.name, m.key);
  }
  return out;
}

std::string Address::str() const {
  std::string out = module_string();
  if (!is_resource()) return out;
  if (!out.empty()) out += ".";
  if (mode == "data") out += "data.";
  return out + type + "." + step_string(name, key);
}

std::optional<Address> parse_address(const std::string& text) {
  Scanner sc(text);
  Address a;
  while (!sc.done()) {
    auto word = sc.identifier();
    if (!word) return std::nullopt;
    if (*word == "module") {
      if (!sc.eat('.')) return std::nullopt;
      auto name = sc.identifier();
      auto key = name ? sc.index() : std::nullopt;
      if (!name || !key) return std::nullopt;
      a.modules.push_back({*name, *key});
      if (sc.done()) return a;
      if (!sc.eat('.')) return std::nullopt;
      continue;
    }
    a.mode = "managed";
    if (*word == "data") {
      a.mode = "data";
      if (!sc.eat('.')) return std::nullopt;
      word = sc.identifier();
      if (!word) return std::nullopt;
    }
    a.type = *word;
    if (!sc.eat('.')) return std::nullopt;
    auto name = sc.identifier();
    auto key = name ? sc.index() : std::nullopt;
    if (!name || !key || !sc.done()) return std::nullopt;
    a.name = *name;
    a.key = *key;
    return a;
  }
  return a.modules.empty() ? std::nullopt : std::optional<Address>(a);
}

bool target_selects(const Address& target, const Address& instance) {
  if (target.modules.size() > instance.modules.size()) return false;
  for (size_t i = 0; i < target.modules.size(); ++i) {
    const auto& t = target.modules[i];
    const auto& m = instance.modules[i];
    if (t.name != m.name) return false;
    if (t.key && t.key != m.key) return false;
  }
  if (!target.is_resource()) return true;
  return target.modules.size() == instance.modules.size() && target.mode == instance.mode &&
         target.type == instance.type && target.name == instance.name &&
         (!target.key || target.key == instance.key);
}

}  // namespace fake_tf
