#include "xdeploy/backend/local/process_identity.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <iterator>
#include <sstream>
#include <thread>
#include <vector>

namespace xd {
namespace {

// Plain read(2), not a stream: a process that exits mid-read makes read() fail with
// ESRCH, and libstdc++'s filebuf throws on a failed read whatever the exception mask.
// A vanished process reads as empty, like one that was never there.
std::string read_whole_proc_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) out.clear();
    break;
  }
  ::close(fd);
  return out;
}

std::string read_proc_file(pid_t pid, const char* name) {
  return read_whole_proc_file("/proc/" + std::to_string(pid) + "/" + name);
}

struct StatFields {
  char state = '?';
  unsigned long long start_time = 0;
};

// /proc/<pid>/stat is "pid (comm) state ppid ...": comm may hold spaces and
// parentheses, so fields are counted from the LAST ')'.
std::optional<StatFields> read_stat(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  const std::string stat = read_proc_file(pid, "stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(close + 1));
  std::vector<std::string> fields{std::istream_iterator<std::string>(rest),
                                  std::istream_iterator<std::string>()};
  constexpr std::size_t kStartTimeIndex = 22 - 3;  // field 22; fields after ')' start at 3
  if (fields.size() <= kStartTimeIndex || fields[0].empty()) return std::nullopt;
  StatFields out;
  out.state = fields[0][0];
  const auto& st = fields[kStartTimeIndex];
  if (std::from_chars(st.data(), st.data() + st.size(), out.start_time).ec != std::errc())
    return std::nullopt;
  return out;
}

void sleep_ms(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

bool wait_gone(const ProcessIdentity& id, std::chrono::milliseconds budget) {
  const auto until = std::chrono::steady_clock::now() + budget;
  while (is_alive(id)) {
    if (std::chrono::steady_clock::now() >= until) return false;
    sleep_ms(20);
  }
  return true;
}

// The slot runs in its own process group (we made it the leader), so its own
// children are stopped with it.
void signal_process(const ProcessIdentity& id, int sig) {
  if (!is_alive(id)) return;
  if (getpgid(id.pid) == id.pid)
    ::kill(-id.pid, sig);
  else
    ::kill(id.pid, sig);
}

}  // namespace

namespace {

// A thread-group leader shows 'Z' as soon as its own thread exits, while the
// other threads (and the sockets they share) may still be going: the process
// is gone only once every task is.
bool some_task_running(pid_t pid) {
  std::error_code ec;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  // Tasks vanish while we look: advance with an error code, never a throwing ++.
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string stat = read_whole_proc_file((it->path() / "stat").string());
    const auto close = stat.rfind(')');
    if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z' &&
        stat[close + 2] != 'X')
      return true;
  }
  return false;
}

}  // namespace

std::optional<unsigned long long> process_start_time(pid_t pid) {
  const auto stat = read_stat(pid);
  if (!stat) return std::nullopt;
  if ((stat->state == 'Z' || stat->state == 'X') && !some_task_running(pid)) return std::nullopt;
  return stat->start_time;
}

std::optional<ProcessIdentity> identify_process(pid_t pid) {
  const auto start = process_start_time(pid);
  if (!start) return std::nullopt;
  return ProcessIdentity{pid, *start};
}

bool is_alive(const ProcessIdentity& id) {
  if (id.pid <= 0) return false;
  const auto start = process_start_time(id.pid);
  return start && *start == id.start_time;
}

std::string process_program_name(pid_t pid) {
  const std::string cmdline = read_proc_file(pid, "cmdline");
  const std::string argv0 = cmdline.substr(0, cmdline.find('\0'));
  return std::filesystem::path(argv0).filename().string();
}

std::optional<ProcessIdentity> find_process_by_marker(const std::string& marker) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    pid_t pid = 0;
    if (std::from_chars(name.data(), name.data() + name.size(), pid).ec != std::errc() || pid <= 0)
      continue;
    const std::string environ = read_proc_file(pid, "environ");
    std::size_t begin = 0;
    while (begin < environ.size()) {
      const auto end = std::min(environ.find('\0', begin), environ.size());
      if (environ.compare(begin, end - begin, marker) == 0) {
        if (auto id = identify_process(pid)) return id;
        break;
      }
      begin = end + 1;
    }
  }
  return std::nullopt;
}

bool stop_process(const ProcessIdentity& id, std::chrono::milliseconds grace) {
  if (!is_alive(id)) return true;
  signal_process(id, SIGTERM);
  if (wait_gone(id, grace)) return true;
  signal_process(id, SIGKILL);
  return wait_gone(id, std::chrono::milliseconds(3000));
}

}  // namespace xd
