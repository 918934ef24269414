#pragma once
// xdeploy.toml is strict: a TOML syntax error or a key that is not a long
// option name is a usage error naming the line (a typo such as
// `helth-timeout` must not silently fall back to the default). CLI11 applies
// the values; this only decides whether the file may be applied at all.
#include <string>
#include <string_view>
#include <vector>

namespace xd {

// "" when `text` is valid TOML whose keys are all top-level members of
// `known_keys`; else "LINE: what is wrong" (or "LINE:COLUMN: ..." for syntax
// errors), with the closest valid key suggested for an unknown one.
std::string check_config_text(std::string_view text, const std::vector<std::string>& known_keys);

// The member of `candidates` nearest to `key` by edit distance, or "" when
// none is close enough to be a plausible typo.
std::string closest_key(std::string_view key, const std::vector<std::string>& candidates);

}  // namespace xd
