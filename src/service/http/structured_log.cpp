#include "falcon_xecutor/http/structured_log.h"

#include <fmt/chrono.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace xecutor {
namespace {

std::string utc_now_iso() {
  const auto now = std::chrono::system_clock::now();
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
      1000000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)), micros);
}

}  // namespace

void setup_json_logging() {
  auto logger = spdlog::stdout_logger_mt("xecutor");
  logger->set_pattern("%v");
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

void log_event(spdlog::level::level_enum level, const nlohmann::ordered_json& fields) {
  nlohmann::ordered_json line;
  line["time"] = utc_now_iso();
  const auto name = spdlog::level::to_string_view(level);
  line["level"] = std::string(name.data(), name.size());
  for (const auto& [key, value] : fields.items()) line[key] = value;
  // `replace` keeps a line valid JSON even when a field carries invalid UTF-8 (a garbage path).
  spdlog::log(level, "{}", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace xecutor
