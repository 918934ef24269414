#include "service/iso_time.h"

#include <charconv>
#include <ctime>

namespace xecutor {
namespace {

bool read_int(std::string_view& s, std::size_t digits, int& out) {
  if (s.size() < digits) return false;
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

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s) {
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_int(s, 4, year) || !expect(s, '-') || !read_int(s, 2, month) || !expect(s, '-') ||
      !read_int(s, 2, day) || !(expect(s, 'T') || expect(s, ' ')) || !read_int(s, 2, hour) ||
      !expect(s, ':') || !read_int(s, 2, minute) || !expect(s, ':') || !read_int(s, 2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
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
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t t = timegm(&tm);
  return std::chrono::system_clock::from_time_t(t) + std::chrono::microseconds(micros) -
         std::chrono::minutes(offset_minutes);
}

}  // namespace xecutor
