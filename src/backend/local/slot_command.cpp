#include "xdeploy/backend/local/slot_command.h"

#include <unistd.h>

#include <sstream>

namespace xd {
namespace {

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
}

}  // namespace

std::string find_sibling_program(const std::filesystem::path& exe_dir, const std::string& program,
                                 const std::string& build_subdir) {
  if (!exe_dir.empty()) {
    for (const auto& candidate : {exe_dir / program, exe_dir / ".." / build_subdir / program}) {
      if (access(candidate.c_str(), X_OK) == 0) return candidate.lexically_normal().string();
    }
  }
  return program;
}

std::string tls_slot_command(const std::filesystem::path& exe_dir,
                             const std::filesystem::path& cert, const std::filesystem::path& key,
                             std::string* error) {
  const std::string words[] = {find_sibling_program(exe_dir, "xdeploy-tls-slot", "backend/local"),
                               std::filesystem::absolute(cert).lexically_normal().string(),
                               std::filesystem::absolute(key).lexically_normal().string(),
                               find_sibling_program(exe_dir, "falcon-xecutor", "service")};
  for (const auto& w : words) {
    if (w.find_first_of(" \t") != std::string::npos) {
      *error = "--tls: \"" + w + "\" contains a space; the slot command is split on spaces";
      return "";
    }
  }
  return words[0] + " {color} {port} " + words[1] + " " + words[2] + " " + words[3];
}

std::vector<std::string> slot_argv(const std::string& command, const std::filesystem::path& exe_dir,
                                   Color color, int port) {
  const std::string c(to_string(color));
  const std::string p = std::to_string(port);
  if (command.find_first_not_of(" \t") == std::string::npos) {
    return {find_sibling_program(exe_dir, "falcon-xecutor", "service"),
            "--port",
            p,
            "--slot",
            c,
            "--bind",
            "127.0.0.1"};
  }
  std::vector<std::string> argv;
  std::istringstream words(command);
  for (std::string w; words >> w;) {
    replace_all(w, "{color}", c);
    replace_all(w, "{port}", p);
    argv.push_back(w);
  }
  return argv;
}

}  // namespace xd
