#pragma once
// JSON log lines through spdlog: {"time":...,"level":...,<fields>}. Every log
// line of the service goes through log_event so the output stays parseable.
#include <spdlog/common.h>
#include <nlohmann/json.hpp>

namespace xecutor {

// Installs the process-wide logger (stdout, one JSON object per line).
void setup_json_logging();

void log_event(spdlog::level::level_enum level, const nlohmann::ordered_json& fields);

}  // namespace xecutor
