#pragma once
// FalconX timestamps: ISO 8601 with optional fraction and a Z or +hh:mm offset,
// e.g. 2023-09-25T02:49:19.306583+00:00.
#include <chrono>
#include <optional>
#include <string_view>

namespace xecutor {

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

}  // namespace xecutor
