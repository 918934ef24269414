#include "xdeploy/history/history_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include <fmt/format.h>

#include "xdeploy/fs/atomic_file.h"
#include "xdeploy/history/history_entry.h"

namespace xd {
namespace {

constexpr size_t kReadBlock = size_t{64} * 1024;

std::string errno_text(int err) {
  return std::error_code(err, std::generic_category()).message();
}

// True when the file is non-empty and its last byte is not '\n': a writer
// died mid-line. Our line must then start on a fresh line, or it would be
// glued to the torn one and lost with it.
bool ends_with_torn_line(int fd) {
  struct stat info {};
  if (fstat(fd, &info) != 0 || info.st_size == 0) return false;
  char last = '\n';
  return pread(fd, &last, 1, info.st_size - 1) == 1 && last != '\n';
}

// A rotation replaces the file by rename: a writer that opened the old one
// must notice and append to the new one instead.
bool still_the_file(int fd, const std::filesystem::path& path) {
  struct stat open_info {
  }, path_info{};
  return fstat(fd, &open_info) == 0 && ::stat(path.c_str(), &path_info) == 0 &&
         open_info.st_ino == path_info.st_ino && open_info.st_dev == path_info.st_dev;
}

// Opens the history file for appending and holds its flock, so appends and
// rotations by concurrent xdeploy processes take turns.
int open_locked(const std::filesystem::path& path, std::string& error) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      error = fmt::format("cannot open {}: {}", path.string(), errno_text(errno));
      return -1;
    }
    int rc;
    do {
      rc = flock(fd, LOCK_EX);
    } while (rc != 0 && errno == EINTR);
    if (rc == 0 && still_the_file(fd, path)) return fd;
    close(fd);
  }
  error = fmt::format("cannot lock {}: it keeps being replaced", path.string());
  return -1;
}

// Walks a file backwards block by block and hands over complete lines,
// newest first, until `take` says stop. Memory stays bounded by
// kMaxHistoryLineBytes: a longer line is reported as oversized, unread.
template <typename Take>
std::string lines_from_end(int fd, off_t size, Take take) {
  std::string block(kReadBlock, '\0');
  std::string partial;  // the known tail of the line that continues before `pos`
  bool oversized = false;
  off_t pos = size;
  auto grow = [&](const char* data, size_t n) {
    if (oversized) return;
    if (partial.size() + n > kMaxHistoryLineBytes) {
      oversized = true;
      std::string().swap(partial);
      return;
    }
    partial.insert(0, data, n);
  };
  auto emit = [&] {
    const bool more = take(std::string_view(partial), oversized);
    partial.clear();
    oversized = false;
    return more;
  };
  while (pos > 0) {
    const size_t n = static_cast<size_t>(std::min<off_t>(pos, static_cast<off_t>(kReadBlock)));
    pos -= static_cast<off_t>(n);
    ssize_t got;
    do {
      got = pread(fd, block.data(), n, pos);
    } while (got < 0 && errno == EINTR);
    if (got != static_cast<ssize_t>(n)) return errno_text(got < 0 ? errno : EIO);
    size_t end = n;
    for (size_t i = n; i-- > 0;) {
      if (block[i] != '\n') continue;
      grow(block.data() + i + 1, end - i - 1);
      if (!emit()) return "";
      end = i;
    }
    grow(block.data(), end);
  }
  if (!partial.empty() || oversized) take(std::string_view(partial), oversized);
  return "";
}

}  // namespace

std::string HistoryLog::append(const nlohmann::json& record) const {
  std::error_code ec;
  if (file_.has_parent_path()) std::filesystem::create_directories(file_.parent_path(), ec);
  if (ec) return fmt::format("cannot create {}: {}", file_.parent_path().string(), ec.message());

  std::string error;
  const int fd = open_locked(file_, error);
  if (fd < 0) return error;
  // 0600: operations name users, hosts and commands; fchmod whatever the umask
  // (or an older xdeploy) left on an existing file.
  fchmod(fd, 0600);
  // replace: a stray invalid UTF-8 byte must not cost the whole record.
  std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (ends_with_torn_line(fd)) line.insert(line.begin(), '\n');

  // One write() with O_APPEND: even a writer without the lock never interleaves.
  ssize_t n;
  do {
    n = write(fd, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    error = fmt::format("cannot append to {}: {}", file_.string(), errno_text(errno));
  } else if (static_cast<size_t>(n) != line.size()) {
    error = fmt::format("cannot append to {}: short write ({} of {} bytes, disk full?)",
                        file_.string(), n, line.size());
  } else if (fsync(fd) != 0) {
    error = fmt::format("cannot sync {}: {}", file_.string(), errno_text(errno));
  } else {
    error = rotate_if_needed(fd);
  }
  close(fd);  // releases the flock
  return error;
}

// Called with the flock held: nobody appends while the file is rewritten.
std::string HistoryLog::rotate_if_needed(int fd) const {
  struct stat info {};
  if (fstat(fd, &info) != 0 || info.st_size <= limits_.max_bytes) return "";
  const auto newest = read(limits_.keep_records);
  if (!newest.error.empty()) return "cannot rotate: " + newest.error;
  std::string content;
  for (const auto& r : newest.records)
    content += r.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  const auto error = write_file_atomically(file_, content, 0600);
  return error.empty() ? "" : "cannot rotate: " + error;
}

HistoryLog::ReadResult HistoryLog::read(size_t limit) const {
  ReadResult result;
  const int fd = open(file_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) result.error = fmt::format("cannot read {}", file_.string());
    return result;  // no file: no history yet
  }
  struct stat info {};
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    close(fd);
    result.error = fmt::format("cannot read {}", file_.string());
    return result;
  }
  std::vector<nlohmann::json> newest_first;
  const auto error = lines_from_end(fd, info.st_size, [&](std::string_view line, bool oversized) {
    if (!oversized && line.find_first_not_of(" \t\r") == std::string_view::npos) return true;
    auto record = oversized ? std::nullopt : parse_history_line(line);
    if (record)
      newest_first.push_back(std::move(*record));
    else
      ++result.skipped_lines;
    return limit == 0 || newest_first.size() < limit;
  });
  close(fd);
  if (!error.empty()) {
    result.error = fmt::format("cannot read {}: {}", file_.string(), error);
    return result;
  }
  result.records.assign(std::make_move_iterator(newest_first.rbegin()),
                        std::make_move_iterator(newest_first.rend()));
  return result;
}

}  // namespace xd
