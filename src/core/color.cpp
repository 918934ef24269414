#include "xdeploy/core/color.h"

namespace xd {

std::optional<Color> parse_color(std::string_view text) {
  if (text == "blue") return Color::Blue;
  if (text == "green") return Color::Green;
  return std::nullopt;
}

std::string_view to_string(Color c) {
  return c == Color::Blue ? "blue" : "green";
}

}  // namespace xd
