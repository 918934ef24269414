#include "falcon_xecutor/claims/claim_store.h"

#include <algorithm>
#include <sstream>

namespace xecutor {

bool valid_store_key(const std::string& key) {
  if (key.empty() || key.size() > 512) return false;
  std::istringstream parts(key);
  std::string part;
  std::size_t seen = 0;
  while (std::getline(parts, part, '/')) {
    ++seen;
    if (part.empty() || part == "." || part == "..") return false;
    const bool chars_ok = std::all_of(part.begin(), part.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '_' || c == '-';
    });
    if (!chars_ok) return false;
  }
  return seen > 0 && key.back() != '/';
}

}  // namespace xecutor
