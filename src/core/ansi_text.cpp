#include "xdeploy/core/ansi_text.h"

namespace xd {

namespace {

constexpr char kEsc = '\x1b';
constexpr char kBel = '\x07';

// Index just past the escape sequence starting at text[i] (an ESC).
size_t skip_escape(std::string_view text, size_t i) {
  if (i + 1 >= text.size()) return text.size();
  const char kind = text[i + 1];
  if (kind == '[') {  // CSI: parameters and intermediates, then one final byte 0x40-0x7e
    size_t j = i + 2;
    while (j < text.size() && (text[j] < 0x40 || text[j] > 0x7e)) ++j;
    return j < text.size() ? j + 1 : j;
  }
  if (kind == ']') {  // OSC: until BEL or ESC '\'
    for (size_t j = i + 2; j < text.size(); ++j) {
      if (text[j] == kBel) return j + 1;
      if (text[j] == kEsc && j + 1 < text.size() && text[j + 1] == '\\') return j + 2;
    }
    return text.size();
  }
  return i + 2;  // ESC + one byte (ESC c, ESC 7, ...)
}

}  // namespace

std::string strip_ansi(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == kEsc) {
      i = skip_escape(text, i);
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7f) {
      ++i;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

}  // namespace xd
