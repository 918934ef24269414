#include "xdeploy/history/history_entry.h"

#include <fmt/format.h>

namespace xd {

using nlohmann::json;

namespace {

// The fields `describe_history_record` reads, with the type each must have
// when present. Other fields pass through untouched (--json prints them).
bool has_type(const json& object, const char* key, json::value_t type) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return true;
  if (type == json::value_t::number_float) return it->is_number();
  if (type == json::value_t::number_integer) return it->is_number_integer();
  return it->type() == type;
}

bool well_typed(const json& r) {
  for (const char* key : {"started_at", "user", "host", "verb", "backend", "result", "message"})
    if (!has_type(r, key, json::value_t::string)) return false;
  if (!has_type(r, "exit_code", json::value_t::number_integer) ||
      !has_type(r, "duration_ms", json::value_t::number_float) ||
      !has_type(r, "to", json::value_t::object) || !has_type(r, "probe", json::value_t::object))
    return false;
  if (r.contains("to") && r["to"].is_object() &&
      !has_type(r["to"], "deploy", json::value_t::string))
    return false;
  if (r.contains("probe") && r["probe"].is_object() &&
      !has_type(r["probe"], "downtime_ms", json::value_t::number_float))
    return false;
  return true;
}

std::string text(const json& r, const char* key, const char* fallback) {
  const auto it = r.find(key);
  return it != r.end() && it->is_string() ? it->get<std::string>() : fallback;
}

double number(const json& r, const char* key) {
  const auto it = r.find(key);
  return it != r.end() && it->is_number() ? it->get<double>() : 0.0;
}

}  // namespace

std::optional<json> parse_history_line(std::string_view line) {
  if (line.size() > kMaxHistoryLineBytes) return std::nullopt;
  auto record = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!record.is_object() || !well_typed(record)) return std::nullopt;
  return record;
}

std::string describe_history_record(const json& r) {
  std::string line = fmt::format("{}  {:<10} {:<15} {:<13} {:>7.1f}s", text(r, "started_at", "?"),
                                 text(r, "user", "?"), text(r, "verb", "?"), text(r, "result", "?"),
                                 number(r, "duration_ms") / 1000.0);
  const auto to = r.find("to");
  if (to != r.end() && to->is_object() && to->contains("deploy") && (*to)["deploy"].is_string())
    line += fmt::format("  deploy={}", (*to)["deploy"].get<std::string>());
  const auto probe = r.find("probe");
  if (probe != r.end() && probe->is_object())
    line += fmt::format("  downtime {:.0f}ms", number(*probe, "downtime_ms"));
  const auto exit_code = r.find("exit_code");
  if (exit_code != r.end() && exit_code->is_number_integer() && exit_code->get<long long>() != 0)
    line += "  " + text(r, "message", "");
  return line;
}

}  // namespace xd
