#pragma once
// What runs in a slot and where the sibling binaries are: the app command
// with {color}/{port} substituted, and the lookup of falcon-xecutor and
// xdeploy-router next to xdeploy (installed layout), in the build tree, then
// on PATH.
#include <filesystem>
#include <string>
#include <vector>

#include "xdeploy/core/color.h"

namespace xd {

// `command` split on spaces, then {color} and {port} substituted in each word.
// An empty command means the falcon-xecutor service (paper mode: no keys).
std::vector<std::string> slot_argv(const std::string& command, const std::filesystem::path& exe_dir,
                                   Color color, int port);

// `xdeploy --backend local --tls`: the slot command that runs the slots' nginx
// TLS front (xdeploy-tls-slot) with this certificate in front of the service.
// Paths are made absolute (slots run in the working dir); a path with a space
// cannot travel in the space-split command: `error` says so.
std::string tls_slot_command(const std::filesystem::path& exe_dir,
                             const std::filesystem::path& cert, const std::filesystem::path& key,
                             std::string* error);

// `program` in exe_dir, then in exe_dir/../<build_subdir>, else the bare name
// (looked up on PATH when it is run).
std::string find_sibling_program(const std::filesystem::path& exe_dir, const std::string& program,
                                 const std::string& build_subdir);

}  // namespace xd
