#include "state_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "clock_ids.h"
#include "signals.h"
#include "state_store.h"

namespace fake_tf {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path lock_info_path(const fs::path& workdir) {
  return workdir / ".terraform.tfstate.lock.info";
}

namespace {
std::string who() {
  std::string user = "unknown";
  if (const passwd* pw = getpwuid(getuid())) user = pw->pw_name;
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return user + "@" + host;
}

json read_info(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = json::parse(ss.str(), nullptr, false);
  return j.is_discarded() ? json::object() : j;
}

// "2024-05-01T10:11:12.123456789Z" -> Go time.Time.String() "2024-05-01 10:11:12.123456789 +0000
// UTC"
std::string go_time_from_rfc3339(std::string t) {
  if (t.size() < 20 || t.back() != 'Z') return t;
  t[10] = ' ';
  t.pop_back();
  return t + " +0000 UTC";
}

Diagnostic lock_error(const json& info) {
  auto field = [&](const char* k) { return info.value(k, std::string()); };
  return {"error", "Error acquiring the state lock",
          fmt::format("Error message: resource temporarily unavailable\n"
                      "Lock Info:\n"
                      "  ID:        {}\n"
                      "  Path:      {}\n"
                      "  Operation: {}\n"
                      "  Who:       {}\n"
                      "  Version:   {}\n"
                      "  Created:   {}\n"
                      "  Info:      {}\n\n"
                      "Terraform acquires a state lock to protect the state from being written\n"
                      "by multiple users at the same time. Please resolve the issue above and try\n"
                      "again. For most commands, you can disable locking with the \"-lock=false\"\n"
                      "flag, but this is not recommended.",
                      field("ID"), field("Path"), field("Operation"), field("Who"),
                      field("Version"), go_time_from_rfc3339(field("Created")), field("Info"))};
}

json new_info(const std::string& operation, const std::string& who_value) {
  return {
      {"ID", random_uuid()},        {"Operation", operation},       {"Info", ""},
      {"Who", who_value},           {"Version", kTerraformVersion}, {"Created", rfc3339_nano_now()},
      {"Path", "terraform.tfstate"}};
}
}  // namespace

std::optional<Diagnostic> StateLock::acquire(const fs::path& workdir, const std::string& operation,
                                             std::chrono::milliseconds timeout, bool always_held,
                                             const View& view) {
  fs::create_directories(workdir / ".fake-terraform");
  int fd = ::open((workdir / ".fake-terraform" / "state.lock").c_str(),
                  O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Diagnostic{"error", "Error acquiring the state lock", "cannot open lock file"};
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + timeout;
  auto backoff = std::chrono::milliseconds(1000);
  bool announced = false;
  for (;;) {
    if (!always_held && ::flock(fd, LOCK_EX | LOCK_NB) == 0) break;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      ::close(fd);
      json info = always_held ? new_info(operation, "someone-else@elsewhere")
                              : read_info(lock_info_path(workdir));
      return lock_error(info);
    }
    // Terraform backs off 1s, 2s, 4s ... 16s, never past the deadline; the notice is shown
    // once waiting has lasted 400 ms.
    auto wake = std::min(now + backoff, deadline);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(16000));
    while (std::chrono::steady_clock::now() < wake) {
      if (!announced &&
          std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(400)) {
        announced = true;
        view.out("Acquiring state lock. This may take a few moments...\n");
      }
      if (!interrupts::sleep_for(std::chrono::milliseconds(20), true)) {
        ::close(fd);
        return Diagnostic{"error", "Error acquiring the state lock",
                          "Error message: interrupted while waiting for the state lock"};
      }
    }
  }
  fd_ = fd;
  info_path_ = lock_info_path(workdir);
  write_file_atomic(info_path_, new_info(operation, who()).dump() + "\n", false);
  return std::nullopt;
}

void StateLock::release() {
  if (fd_ < 0) return;
  std::error_code ec;
  fs::remove(info_path_, ec);
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace fake_tf
