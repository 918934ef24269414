#include "falcon_xecutor/webhook/iso_time.h"

#include <algorithm>
#include <charconv>

namespace xecutor {
namespace {

using std::chrono::system_clock;

// Exactly `digits` ASCII digits (from_chars alone would also take a '-').
bool read_int(std::string_view& s, std::size_t digits, int& out) {
  if (s.size() < digits) return false;
  if (!std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(digits),
                   [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  const auto* end = s.data() + digits;
  const auto r = std::from_chars(s.data(), end, out);
  if (r.ec != std::errc{} || r.ptr != end) return false;
  s.remove_prefix(digits);
  return true;
}

bool expect(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

// system_clock counts nanoseconds in 64 bits: it spans only ~1678..2261. A
// date outside (FalconX never sends one, a fuzzer or a broken server can)
// must be refused, not converted: the conversion is signed overflow (UB).
// One day of margin covers the offset and the fraction added afterwards.
bool representable(std::chrono::sys_seconds t) {
  using std::chrono::days;
  using std::chrono::seconds;
  constexpr auto kMax =
      std::chrono::duration_cast<seconds>(system_clock::duration::max()) - days{1};
  constexpr auto kMin =
      std::chrono::duration_cast<seconds>(system_clock::duration::min()) + days{1};
  return t.time_since_epoch() <= kMax && t.time_since_epoch() >= kMin;
}

}  // namespace

std::optional<system_clock::time_point> parse_iso8601(std::string_view s) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_int(s, 4, year) || !expect(s, '-') || !read_int(s, 2, month) || !expect(s, '-') ||
      !read_int(s, 2, day) || !(expect(s, 'T') || expect(s, ' ')) || !read_int(s, 2, hour) ||
      !expect(s, ':') || !read_int(s, 2, minute) || !expect(s, ':') || !read_int(s, 2, second))
    return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  long micros = 0;
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    long scale = 100000;
    std::size_t n = 0;
    while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
      micros += (s.front() - '0') * scale;
      scale /= 10;
      s.remove_prefix(1);
      ++n;
    }
    if (n == 0) return std::nullopt;
  }
  int offset_minutes = 0;
  if (expect(s, 'Z')) {
  } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    const int sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
    int oh = 0, om = 0;
    if (!read_int(s, 2, oh)) return std::nullopt;
    expect(s, ':');  // +hh:mm and +hhmm are both ISO 8601
    if (!read_int(s, 2, om)) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return std::nullopt;  // no zone: refuse to guess
  }
  if (!s.empty()) return std::nullopt;
  const std::chrono::sys_seconds whole = std::chrono::sys_days{date} + std::chrono::hours{hour} +
                                         std::chrono::minutes{minute} +
                                         std::chrono::seconds{second};
  if (!representable(whole)) return std::nullopt;
  return std::chrono::time_point_cast<system_clock::duration>(whole) +
         std::chrono::microseconds(micros) - std::chrono::minutes(offset_minutes);
}

}  // namespace xecutor
