#pragma once
// Durations as users type them: "2" (seconds), "500ms", "2s", "1.5s", "5m",
// "1h". Used by every --*-timeout/--*-interval option and xdeploy.toml.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace xd {

using Millis = std::chrono::milliseconds;

std::optional<Millis> parse_duration(std::string_view text);
std::string format_duration(Millis d);  // "1.5s", "250ms", "2m30s": for people
// Exact and machine-readable: "300s" or "1500ms". parse_duration reads it back,
// and so does Go's time.ParseDuration (Terraform's -lock-timeout).
std::string duration_literal(Millis d);

}  // namespace xd
