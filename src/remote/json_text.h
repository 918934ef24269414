#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace xd {

// A string member of a record another machine wrote (a lock, a history entry, the
// backend config): absent or of another type reads as empty, never throws, since a
// record from an older or newer xdeploy must not stop this one.
inline std::string text_or_empty(const nlohmann::json& record, const char* key) {
  const auto it = record.find(key);
  return it != record.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace xd
