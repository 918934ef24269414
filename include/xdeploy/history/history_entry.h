#pragma once
// One line of .xdeploy/history.jsonl -> a record `xdeploy history` can show.
// Lines are written by xdeploy, but the file is plain text anyone (or a
// crash, or another version) may have changed: a line that is too long, is
// not JSON, or has a known field of the wrong type (`{"verb":5}`) is refused
// here, so nothing downstream can throw on it.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace xd {

// Longer lines are skipped without being parsed: a record is a few KB.
constexpr size_t kMaxHistoryLineBytes = 1 << 20;

std::optional<nlohmann::json> parse_history_line(std::string_view line);

// The human one-liner of a record accepted by parse_history_line.
std::string describe_history_record(const nlohmann::json& record);

}  // namespace xd
