#include "xdeploy/core/ansi_text.h"

#include <catch2/catch.hpp>

using namespace xd;

TEST_CASE("strip_ansi removes Terraform's colors and keeps the text") {
  CHECK(strip_ansi("\x1b[31m\x1b[1mError: \x1b[0m\x1b[0m\x1b[1mInvalid value\x1b[0m") ==
        "Error: Invalid value");
  CHECK(strip_ansi("plain\ttext\nline two") == "plain\ttext\nline two");
  CHECK(strip_ansi("utf-8 ✔ stays") == "utf-8 ✔ stays");
}

TEST_CASE("strip_ansi removes OSC, bare escapes, control bytes and truncated sequences") {
  CHECK(strip_ansi("a\x1b]0;title\x07"
                   "b") == "ab");
  CHECK(strip_ansi("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"
                   "b") == "alinkb");
  CHECK(strip_ansi("a\x1b"
                   "cb\r\x08"
                   "c") == "abc");
  CHECK(strip_ansi("cut\x1b[31") == "cut");
  CHECK(strip_ansi("end\x1b") == "end");
}
