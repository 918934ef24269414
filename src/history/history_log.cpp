#include "history/history_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include <fmt/format.h>

#include "fs/atomic_file.h"

namespace xd {
namespace {

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

}  // namespace

std::string HistoryLog::append(const nlohmann::json& record) const {
  std::error_code ec;
  if (file_.has_parent_path()) std::filesystem::create_directories(file_.parent_path(), ec);
  if (ec) return fmt::format("cannot create {}: {}", file_.parent_path().string(), ec.message());

  // 0600: operations name users, hosts and commands; fchmod whatever the umask says.
  const int fd = open(file_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return fmt::format("cannot open {}: {}", file_.string(), errno_text(errno));
  fchmod(fd, 0600);
  // replace: a stray invalid UTF-8 byte must not cost the whole record.
  std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (ends_with_torn_line(fd)) line.insert(line.begin(), '\n');

  // One write() with O_APPEND: concurrent appenders never interleave.
  ssize_t n;
  do {
    n = write(fd, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  std::string error;
  if (n < 0) {
    error = fmt::format("cannot append to {}: {}", file_.string(), errno_text(errno));
  } else if (static_cast<size_t>(n) != line.size()) {
    error = fmt::format("cannot append to {}: short write ({} of {} bytes, disk full?)",
                        file_.string(), n, line.size());
  } else if (fsync(fd) != 0) {
    error = fmt::format("cannot sync {}: {}", file_.string(), errno_text(errno));
  }
  close(fd);
  return error;
}

HistoryLog::ReadResult HistoryLog::read() const {
  ReadResult result;
  std::error_code ec;
  if (!std::filesystem::exists(file_, ec)) return result;  // no history yet
  const auto text = read_text_file(file_);
  if (!text) {
    result.error = fmt::format("cannot read {}", file_.string());
    return result;
  }
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    const std::string_view line(text->data() + start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_object()) {
      result.records.push_back(std::move(record));
    } else {
      ++result.skipped_lines;
    }
  }
  return result;
}

}  // namespace xd
