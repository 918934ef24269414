#include "falcon_xecutor/webhook/alert_header.h"

#include <algorithm>
#include <string_view>

#include "blank_trim.h"
#include "falcon_xecutor/webhook/iso_time.h"

namespace xecutor {
namespace {

constexpr std::string_view kIdPrefix = "id:";
constexpr std::string_view kTimePrefix = "time:";
constexpr std::size_t kMaxIdLength = 64;

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::optional<std::string> id_problem(std::string_view id) {
  if (id.empty()) return "id: is empty";
  if (id.size() > kMaxIdLength) return "id: is longer than 64 characters";
  if (!std::all_of(id.begin(), id.end(), [](char c) { return c >= 0x20 && c < 0x7f; }))
    return "id: contains control or non-ASCII bytes";
  return std::nullopt;
}

}  // namespace

std::variant<AlertHeaderParse, OrderError> take_alert_header(const std::vector<BodyLine>& lines) {
  AlertHeaderParse out;
  for (const BodyLine& line : lines) {
    if (starts_with(line.text, kIdPrefix)) {
      if (out.header.id) return OrderError{line.number, "repeated id: line"};
      const std::string_view id = trim_blanks(std::string_view(line.text).substr(kIdPrefix.size()));
      if (auto why = id_problem(id)) return OrderError{line.number, *why};
      out.header.id = std::string(id);
    } else if (starts_with(line.text, kTimePrefix)) {
      if (out.header.time) return OrderError{line.number, "repeated time: line"};
      const std::string_view text =
          trim_blanks(std::string_view(line.text).substr(kTimePrefix.size()));
      out.header.time = parse_iso8601(text);
      if (!out.header.time)
        return OrderError{line.number,
                          "time: must be ISO 8601 with a zone (TradingView's "
                          "{{timenow}}, e.g. 2024-05-01T12:00:05Z), got '" +
                              std::string(text.substr(0, 40)) + "'"};
    } else {
      out.order_lines.push_back(line);
    }
  }
  return out;
}

}  // namespace xecutor
