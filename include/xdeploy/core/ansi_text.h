#pragma once
// Terminal escape sequences out of text that is recorded (messages, history,
// --json, log files): Terraform colors its errors unless told -no-color, and a
// recorded escape code is noise at best and a terminal injection at worst.
#include <string>
#include <string_view>

namespace xd {

// Removes CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \) and two-byte
// ESC sequences, and any other control character but tab and newline.
std::string strip_ansi(std::string_view text);

}  // namespace xd
