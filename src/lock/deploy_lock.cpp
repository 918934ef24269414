#include "xdeploy/lock/deploy_lock.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <system_error>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "xdeploy/core/duration.h"
#include "xdeploy/fs/atomic_file.h"

namespace xd {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kRetryPause{50};

std::string errno_text(int err) {
  return std::error_code(err, std::generic_category()).message();
}

std::string user_name() {
  passwd entry{};
  passwd* found = nullptr;
  char buffer[4096];
  if (getpwuid_r(getuid(), &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  const char* env = std::getenv("USER");
  return env != nullptr && *env != '\0' ? env : fmt::format("uid {}", getuid());
}

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown-host";
  return name;
}

std::string utc_now_iso() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

nlohmann::json to_json(const LockHolder& h) {
  nlohmann::json j{{"pid", h.pid},
                   {"user", h.user},
                   {"host", h.host},
                   {"verb", h.verb},
                   {"started_at", h.started_at}};
  if (!h.children.empty()) {
    j["children"] = nlohmann::json::array();
    for (const auto& c : h.children)
      j["children"].push_back({{"pid", c.pid}, {"command", c.command}});
  }
  return j;
}

std::optional<LockHolder> holder_from_text(const std::string& text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object() || !json.contains("pid") || !json["pid"].is_number_integer()) {
    return std::nullopt;
  }
  LockHolder h;
  h.pid = json["pid"].get<int>();
  const auto text_field = [&](const char* key) {
    const auto it = json.find(key);
    return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  h.user = text_field("user");
  h.host = text_field("host");
  h.verb = text_field("verb");
  h.started_at = text_field("started_at");
  if (const auto it = json.find("children"); it != json.end() && it->is_array()) {
    for (const auto& c : *it) {
      if (!c.is_object() || !c.contains("pid") || !c["pid"].is_number_integer()) continue;
      const auto command = c.find("command");
      h.children.push_back({c["pid"].get<int>(), command != c.end() && command->is_string()
                                                     ? command->get<std::string>()
                                                     : ""});
    }
  }
  return h;
}

// The holder writes its identity right after locking; a loser that reads in
// between sees an empty file, which is reported as "unknown holder".
std::optional<LockHolder> read_holder(const std::filesystem::path& lock_file) {
  const auto text = read_text_file(lock_file);
  return text ? holder_from_text(*text) : std::nullopt;
}

// Truncate + write (+ fsync) through the locked descriptor itself: an atomic
// rename would put the info in a different inode than the one locked. The
// children's updates skip the fsync: the note only matters while the machine
// runs (a reboot drops the lock and its holders with it).
bool write_holder(int fd, const LockHolder& me, bool sync = true) {
  const std::string text = to_json(me).dump() + "\n";
  if (ftruncate(fd, 0) != 0) return false;
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n =
        pwrite(fd, text.data() + written, text.size() - written, static_cast<off_t>(written));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += static_cast<size_t>(n);
  }
  return !sync || fsync(fd) == 0;
}

// A process with this pid runs on this host (or we cannot tell: then assume it does).
bool process_alive(const LockHolder& holder, int pid) {
  if (pid <= 0 || holder.host != host_name()) return true;
  return kill(pid, 0) == 0 || errno != ESRCH;
}

std::string busy_message(const std::filesystem::path& lock_file, const std::string& who,
                         bool orphaned, std::chrono::milliseconds waited, bool was_interrupted) {
  std::string message =
      orphaned
          ? fmt::format("the deploy lock {} is held by {}", lock_file.string(), who)
          : fmt::format("another xdeploy holds the deploy lock {}: {}", lock_file.string(), who);
  if (was_interrupted) {
    message += "; stopped waiting for it (interrupted)";
  } else if (waited.count() > 0) {
    message += fmt::format("; still held after waiting {}", format_duration(waited));
  }
  return message;
}

// One attempt: -1 with *busy set when someone holds it, -1 on I/O error, else the locked fd.
int try_lock(const std::filesystem::path& lock_file, bool* busy, std::string* io_error) {
  *busy = false;
  const int fd = open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    *io_error =
        fmt::format("cannot open the deploy lock {}: {}", lock_file.string(), errno_text(errno));
    return -1;
  }
  int rc;
  do {
    rc = flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc == 0) return fd;
  const int err = errno;
  close(fd);
  if (err == EWOULDBLOCK) {
    *busy = true;
  } else {
    *io_error = fmt::format("cannot lock {}: {}", lock_file.string(), errno_text(err));
  }
  return -1;
}

}  // namespace

std::string LockHolder::describe() const {
  return fmt::format("pid {} ({}@{}, `{}`, since {})", pid, user.empty() ? "?" : user,
                     host.empty() ? "?" : host, verb, started_at.empty() ? "?" : started_at);
}

struct DeployLock::Note {
  std::mutex mutex;
  LockHolder me;
};

std::string who_holds(const LockHolder& holder, const std::function<bool(int pid)>& alive,
                      bool* orphaned) {
  *orphaned = false;
  if (alive(holder.pid)) return holder.describe();
  *orphaned = true;
  const std::string gone = fmt::format("xdeploy {}, which is gone (killed?)", holder.describe());
  std::vector<std::string> running;
  for (const auto& child : holder.children)
    if (alive(child.pid)) running.push_back(fmt::format("`{}` (pid {})", child.command, child.pid));
  if (!running.empty())
    return fmt::format("{}, started by {}: it keeps the lock until it exits",
                       fmt::join(running, " and "), gone);
  return fmt::format(
      "a process that inherited it from {} (a Terraform it started, or one of that Terraform's "
      "provider plugins; `fuser -v` on the lock file names it)",
      gone);
}

LockHolder current_process_holder(const std::string& verb) {
  LockHolder h;
  h.pid = static_cast<int>(getpid());
  h.user = user_name();
  h.host = host_name();
  h.verb = verb;
  h.started_at = utc_now_iso();
  return h;
}

std::optional<DeployLock> DeployLock::acquire(const std::filesystem::path& lock_file,
                                              const LockHolder& me, std::chrono::milliseconds wait,
                                              Error* error,
                                              const std::function<bool()>& interrupted) {
  Error local_error;
  Error& out = error != nullptr ? *error : local_error;
  out = Error{};
  std::error_code ec;
  if (lock_file.has_parent_path()) std::filesystem::create_directories(lock_file.parent_path(), ec);
  if (ec) {
    out.message =
        fmt::format("cannot create {}: {}", lock_file.parent_path().string(), ec.message());
    return std::nullopt;
  }

  const auto start = Clock::now();
  const auto deadline = start + wait;
  for (;;) {
    bool busy = false;
    const int fd = try_lock(lock_file, &busy, &out.message);
    if (fd >= 0) {
      if (!write_holder(fd, me)) {
        // Still ours; only the "who holds it" note for others is missing.
        out.message = fmt::format("locked {} but could not record the holder: {}",
                                  lock_file.string(), errno_text(errno));
      }
      auto note = std::make_unique<Note>();
      note->me = me;
      return DeployLock(fd, std::move(note));
    }
    if (!busy) return std::nullopt;
    const bool stop = interrupted && interrupted();
    if (stop || Clock::now() + kRetryPause > deadline) {
      out.busy = true;
      out.interrupted = stop;
      out.holder = read_holder(lock_file);
      out.who = out.holder
                    ? who_holds(
                          *out.holder, [&](int pid) { return process_alive(*out.holder, pid); },
                          &out.orphaned)
                    : std::string("another process (its details are not readable)");
      const auto waited =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
      out.message =
          busy_message(lock_file, out.who, out.orphaned, wait.count() > 0 ? waited : wait, stop);
      return std::nullopt;
    }
    std::this_thread::sleep_for(kRetryPause);
  }
}

DeployLock::DeployLock(int fd, std::unique_ptr<Note> note) : fd_(fd), note_(std::move(note)) {}

DeployLock::DeployLock(DeployLock&& other) noexcept
    : fd_(other.fd_), note_(std::move(other.note_)) {
  other.fd_ = -1;
}

void DeployLock::child_started(int pid, const std::string& command) {
  if (fd_ < 0) return;
  std::lock_guard guard(note_->mutex);
  note_->me.children.push_back({pid, command});
  write_holder(fd_, note_->me, false);  // best effort: it only improves a message
}

void DeployLock::child_ended(int pid) {
  if (fd_ < 0) return;
  std::lock_guard guard(note_->mutex);
  auto& children = note_->me.children;
  std::erase_if(children, [&](const LockChild& c) { return c.pid == pid; });
  write_holder(fd_, note_->me, false);
}

DeployLock& DeployLock::operator=(DeployLock&& other) noexcept {
  if (this != &other) {
    DeployLock old(std::move(*this));  // releases our current lock, if any
    fd_ = other.fd_;
    note_ = std::move(other.note_);
    other.fd_ = -1;
  }
  return *this;
}

DeployLock::~DeployLock() {
  if (fd_ < 0) return;
  // Clear the holder note while still holding the lock, then let go. The file
  // itself stays: unlinking a flock file races with a process about to lock it.
  [[maybe_unused]] const int ignored = ftruncate(fd_, 0);
  flock(fd_, LOCK_UN);
  close(fd_);
}

}  // namespace xd
