#pragma once
// The two slot colors. Everything that names a slot goes through here, so an
// unknown color ("purple", "teal" as a slot) is rejected in one place.
#include <optional>
#include <string>
#include <string_view>

namespace xd {

enum class Color { Blue, Green };

std::optional<Color> parse_color(std::string_view text);
std::string_view to_string(Color c);
constexpr Color other(Color c) {
  return c == Color::Blue ? Color::Green : Color::Blue;
}

}  // namespace xd
