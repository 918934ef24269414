#include "xdeploy/fs/atomic_file.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>

#include <catch2/catch.hpp>

#include "support/scoped_temp_dir.h"

using xd::testing::ScopedTempDir;

namespace xd {
namespace {

std::vector<std::string> entries(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

mode_t mode_of(const std::filesystem::path& file) {
  struct stat info {};
  REQUIRE(stat(file.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

std::string read_fd(int fd) {
  std::string text(256, '\0');
  const ssize_t n = pread(fd, text.data(), text.size(), 0);
  text.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return text;
}

}  // namespace

TEST_CASE("write_file_atomically creates the file with exactly the requested mode") {
  ScopedTempDir dir;
  const auto file = dir / "state.json";
  const mode_t old_umask = umask(077);
  CHECK(write_file_atomically(file, "{\"a\":1}\n", 0644).empty());
  umask(old_umask);
  CHECK(read_text_file(file) == "{\"a\":1}\n");
  CHECK(mode_of(file) == 0644);
  CHECK(write_file_atomically(dir / "secret", "s", 0600).empty());
  CHECK(mode_of(dir / "secret") == 0600);
  CHECK(entries(dir.path()) == std::vector<std::string>{"secret", "state.json"});
}

TEST_CASE("replacing swaps in a new file: readers of the old one never see a mix") {
  ScopedTempDir dir;
  const auto file = dir / "state.json";
  REQUIRE(write_file_atomically(file, "old content").empty());
  const int old_fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(old_fd >= 0);
  CHECK(write_file_atomically(file, "new").empty());
  CHECK(read_text_file(file) == "new");
  CHECK(read_fd(old_fd) == "old content");  // a different inode: never rewritten in place
  close(old_fd);
  CHECK(entries(dir.path()) == std::vector<std::string>{"state.json"});  // no temp left behind
}

TEST_CASE("missing parent directories are created") {
  ScopedTempDir dir;
  const auto file = dir / ".xdeploy/sub/state.json";
  CHECK(write_file_atomically(file, "x").empty());
  CHECK(read_text_file(file) == "x");
}

TEST_CASE("bad targets give a clear error and change nothing") {
  ScopedTempDir dir;
  std::filesystem::create_directory(dir / "a-directory");
  std::ofstream(dir / "keep") << "keep";

  const auto onto_dir = write_file_atomically(dir / "a-directory", "x");
  CHECK_THAT(onto_dir,
             Catch::StartsWith("cannot replace " + (dir / "a-directory").string() + ": "));
  CHECK(std::filesystem::is_directory(dir / "a-directory"));

  const auto under_file = write_file_atomically(dir / "keep" / "child", "x");
  CHECK_THAT(under_file, Catch::StartsWith("cannot create directory " + (dir / "keep").string()));
  CHECK(read_text_file(dir / "keep") == "keep");

  CHECK(entries(dir.path()) == std::vector<std::string>{"a-directory", "keep"});
}

namespace {

// Runs `body` where directory permissions apply. Root ignores them (and CI
// runs as root), so there the body runs in a forked child that first drops to
// user nobody; a failure to drop fails the test instead of skipping it.
std::string without_root(const std::function<std::string()>& body) {
  if (geteuid() != 0) return body();
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    const struct passwd* nobody = getpwnam("nobody");
    const uid_t uid = nobody ? nobody->pw_uid : 65534;
    const gid_t gid = nobody ? nobody->pw_gid : 65534;
    std::string out;
    int code = 0;
    if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0 || geteuid() == 0) {
      out = std::string("cannot drop root: ") + std::strerror(errno);
      code = 1;
    } else {
      try {
        out = body();
      } catch (const std::exception& e) {
        out = std::string("as nobody: ") + e.what();
        code = 1;
      }
    }
    if (write(fds[1], out.data(), out.size()) != static_cast<ssize_t>(out.size())) code = 1;
    _exit(code);
  }
  close(fds[1]);
  std::string out;
  char buffer[4096];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) out.append(buffer, n);
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  INFO(out);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return out;
}

}  // namespace

TEST_CASE("an unwritable directory is reported and the old file kept") {
  // "error|dir|content after": checked here, computed where permissions hold.
  const auto out = without_root([] {
    ScopedTempDir dir;
    const auto file = dir / "state.json";
    if (auto e = write_file_atomically(file, "old"); !e.empty()) return "setup failed: " + e;
    chmod(dir.path().c_str(), 0555);
    const auto error = write_file_atomically(file, "new");
    chmod(dir.path().c_str(), 0755);
    return error + "|" + dir.path().string() + "|" + read_text_file(file).value_or("<missing>");
  });
  const auto first = out.find('|'), second = out.find('|', first + 1);
  REQUIRE(second != std::string::npos);
  const auto error = out.substr(0, first);
  const auto dir = out.substr(first + 1, second - first - 1);
  CHECK_THAT(error, Catch::StartsWith("cannot create " + dir + "/.state.json.tmp."));
  CHECK_THAT(error, Catch::EndsWith(": Permission denied"));
  CHECK(out.substr(second + 1) == "old");
}

TEST_CASE("read_text_file: whole content, or nullopt when there is no regular file") {
  ScopedTempDir dir;
  std::ofstream(dir / "empty").close();
  CHECK(read_text_file(dir / "empty") == "");
  const std::string binary("a\0b\nno newline", 14);
  REQUIRE(write_file_atomically(dir / "bin", binary).empty());
  CHECK(read_text_file(dir / "bin") == binary);
  CHECK_FALSE(read_text_file(dir / "missing").has_value());
  CHECK_FALSE(read_text_file(dir.path()).has_value());
}

}  // namespace xd
