#include "xdeploy/lock/deploy_lock.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <system_error>
#include <thread>

#include <fmt/format.h>
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
  return {{"pid", h.pid},
          {"user", h.user},
          {"host", h.host},
          {"verb", h.verb},
          {"started_at", h.started_at}};
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
  return h;
}

// The holder writes its identity right after locking; a loser that reads in
// between sees an empty file, which is reported as "unknown holder".
std::optional<LockHolder> read_holder(const std::filesystem::path& lock_file) {
  const auto text = read_text_file(lock_file);
  return text ? holder_from_text(*text) : std::nullopt;
}

// Truncate + write + fsync through the locked descriptor itself: an atomic
// rename would put the info in a different inode than the one locked.
bool write_holder(int fd, const LockHolder& me) {
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
  return fsync(fd) == 0;
}

std::string busy_message(const std::filesystem::path& lock_file,
                         const std::optional<LockHolder>& holder, std::chrono::milliseconds waited,
                         bool was_interrupted) {
  const std::string who =
      holder ? holder->describe() : std::string("another process (its details are not readable)");
  std::string message =
      fmt::format("another xdeploy holds the deploy lock {}: {}", lock_file.string(), who);
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
      return DeployLock(fd);
    }
    if (!busy) return std::nullopt;
    const bool stop = interrupted && interrupted();
    if (stop || Clock::now() + kRetryPause > deadline) {
      out.busy = true;
      out.interrupted = stop;
      out.holder = read_holder(lock_file);
      const auto waited =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
      out.message = busy_message(lock_file, out.holder, wait.count() > 0 ? waited : wait, stop);
      return std::nullopt;
    }
    std::this_thread::sleep_for(kRetryPause);
  }
}

DeployLock::DeployLock(DeployLock&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

DeployLock& DeployLock::operator=(DeployLock&& other) noexcept {
  if (this != &other) {
    DeployLock old(std::move(*this));  // releases our current lock, if any
    fd_ = other.fd_;
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
