#include "config_file.h"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>

namespace xd {
namespace {

// Levenshtein distance: small strings (option names), so the plain O(n*m) table.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string unknown_key_message(std::string_view key, const std::vector<std::string>& known) {
  const auto near = closest_key(key, known);
  return near.empty() ? fmt::format("unknown key \"{}\"", key)
                      : fmt::format("unknown key \"{}\" (did you mean \"{}\"?)", key, near);
}

}  // namespace

std::string closest_key(std::string_view key, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = 0;
  for (const auto& c : candidates) {
    const size_t d = edit_distance(key, c);
    if (best.empty() || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  // More than a third of the key changed is a different word, not a typo.
  return best_distance <= std::max<size_t>(2, key.size() / 3) ? best : "";
}

std::string check_config_text(std::string_view text, const std::vector<std::string>& known_keys) {
  toml::table table;
  try {
    table = toml::parse(text);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return fmt::format("{}:{}: syntax error: {}", at.line, at.column, e.description());
  }
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    const auto line = key.source().begin.line;
    if (node.is_table())  // CLI11 would read [section] as subcommand options: none exist
      return fmt::format("{}: unknown section [{}]: xdeploy.toml has top-level keys only", line,
                         name);
    if (std::find(known_keys.begin(), known_keys.end(), name) == known_keys.end())
      return fmt::format("{}: {}", line, unknown_key_message(name, known_keys));
  }
  return "";
}

}  // namespace xd
