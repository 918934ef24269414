#include "xdeploy/fs/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

namespace xd {
namespace {

std::string errno_text(int err) {
  return std::error_code(err, std::generic_category()).message();
}

// Unique among processes (pid), threads (counter) and pid reuse after a crash
// (random), so two writers never share a temp file.
std::filesystem::path temp_path_for(const std::filesystem::path& path) {
  static std::atomic<unsigned> counter{0};
  thread_local std::mt19937_64 random{std::random_device{}()};
  return path.parent_path() / fmt::format(".{}.tmp.{}.{}.{:x}", path.filename().string(), getpid(),
                                          counter.fetch_add(1), random() & 0xffffffU);
}

bool write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t n = write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    content.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Makes the rename itself durable.
bool fsync_directory(const std::filesystem::path& dir) {
  const int fd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = fsync(fd) == 0;
  close(fd);
  return ok;
}

// Writes the temp file completely; on failure removes it and says why.
std::string write_temp(const std::filesystem::path& temp, std::string_view content, mode_t mode) {
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return fmt::format("cannot create {}: {}", temp.string(), errno_text(errno));
  std::string error;
  // fchmod: the requested mode, whatever the umask says.
  if (fchmod(fd, mode) != 0 || !write_all(fd, content) || fsync(fd) != 0) {
    error = fmt::format("cannot write {}: {}", temp.string(), errno_text(errno));
  }
  if (close(fd) != 0 && error.empty()) {
    error = fmt::format("cannot write {}: {}", temp.string(), errno_text(errno));
  }
  if (!error.empty()) unlink(temp.c_str());
  return error;
}

}  // namespace

std::string write_file_atomically(const std::filesystem::path& path, std::string_view content,
                                  mode_t mode) {
  if (path.filename().empty())
    return fmt::format("cannot write {}: not a file name", path.string());
  std::error_code ec;
  const auto dir = path.parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec) return fmt::format("cannot create directory {}: {}", dir.string(), ec.message());

  const auto temp = temp_path_for(path);
  if (auto error = write_temp(temp, content, mode); !error.empty()) return error;
  if (rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(temp.c_str());
    return fmt::format("cannot replace {}: {}", path.string(), errno_text(err));
  }
  if (!fsync_directory(dir)) {
    return fmt::format("wrote {} but could not sync its directory: {}", path.string(),
                       errno_text(errno));
  }
  return {};
}

std::optional<std::string> read_text_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(content).str();
}

}  // namespace xd
