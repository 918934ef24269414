#pragma once
// The alert's lines are trimmed of spaces and tabs only: a TradingView body is
// text a person typed into an alert box, and nothing else counts as blank there.
#include <string_view>

namespace xecutor {

inline std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace xecutor
