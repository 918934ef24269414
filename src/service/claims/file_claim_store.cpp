#include "file_claim_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace xecutor {
namespace {

namespace fs = std::filesystem;
using Outcome = StoreWrite::Outcome;

std::string errno_text(const std::string& what, const fs::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);  // NOLINT(concurrency-mt-unsafe)
}

std::string content_version(const std::string& content) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(content.data(), content.size(), digest, &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

// Closes a descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

bool fsync_dir(const fs::path& dir) {
  const Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  return d.get() >= 0 && ::fsync(d.get()) == 0;
}

// A fully written, fsync'd file with a name no other writer uses; "" on failure (error set).
fs::path write_temp(const fs::path& dir, const std::string& content, std::string& error) {
  static std::atomic<unsigned long> counter{0};
  fs::path tmp = dir / fmt::format(".tmp-{}-{}", ::getpid(), ++counter);
  const Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    error = errno_text("cannot create", tmp);
    return {};
  }
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = errno_text("cannot write", tmp);
      ::unlink(tmp.c_str());
      return {};
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) {
    error = errno_text("cannot fsync", tmp);
    ::unlink(tmp.c_str());
    return {};
  }
  return tmp;
}

StoreRead read_file(const fs::path& path) {
  StoreRead r;
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) {
      r.outcome = StoreRead::Outcome::Absent;
    } else {
      r.error = errno_text("cannot read", path);
    }
    return r;
  }
  std::ostringstream text;
  text << in.rdbuf();
  r.outcome = StoreRead::Outcome::Found;
  r.content = text.str();
  r.version = content_version(r.content);
  return r;
}

StoreWrite failed(std::string why) {
  return {Outcome::Failed, std::move(why)};
}

}  // namespace

FileClaimStore::FileClaimStore(fs::path root) : root_(std::move(root)) {}

std::string FileClaimStore::describe() const {
  return "file:" + root_.string();
}

StoreWrite FileClaimStore::create(const std::string& key, const std::string& content) {
  if (!valid_store_key(key)) return failed("invalid store key '" + key + "'");
  const fs::path path = root_ / key;
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return failed("cannot create " + path.parent_path().string() + ": " + ec.message());
  std::string error;
  const fs::path tmp = write_temp(path.parent_path(), content, error);
  if (tmp.empty()) return failed(error);
  const int rc = ::link(tmp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (rc != 0) {
    if (link_errno == EEXIST) return {Outcome::Conflict, {}};
    errno = link_errno;
    return failed(errno_text("cannot link", path));
  }
  if (!fsync_dir(path.parent_path())) return failed(errno_text("cannot fsync", path.parent_path()));
  return {Outcome::Written, {}};
}

StoreRead FileClaimStore::read(const std::string& key) {
  if (!valid_store_key(key)) {
    StoreRead r;
    r.error = "invalid store key '" + key + "'";
    return r;
  }
  return read_file(root_ / key);
}

StoreWrite FileClaimStore::replace(const std::string& key, const std::string& content,
                                   const std::string& version) {
  if (!valid_store_key(key)) return failed("invalid store key '" + key + "'");
  const fs::path path = root_ / key;
  const fs::path lock_path = path.string() + ".lock";
  const Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (lock.get() < 0) return failed(errno_text("cannot open", lock_path));
  while (::flock(lock.get(), LOCK_EX) != 0)
    if (errno != EINTR) return failed(errno_text("cannot lock", lock_path));
  // Released by close (Fd) on every path out.
  const StoreRead current = read_file(path);
  if (current.outcome == StoreRead::Outcome::Failed) return failed(current.error);
  if (current.outcome == StoreRead::Outcome::Absent || current.version != version)
    return {Outcome::Conflict, {}};
  std::string error;
  const fs::path tmp = write_temp(path.parent_path(), content, error);
  if (tmp.empty()) return failed(error);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = errno_text("cannot rename onto", path);
    ::unlink(tmp.c_str());
    return failed(why);
  }
  if (!fsync_dir(path.parent_path())) return failed(errno_text("cannot fsync", path.parent_path()));
  return {Outcome::Written, {}};
}

}  // namespace xecutor
