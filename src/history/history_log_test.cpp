#include "history/history_log.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include <catch2/catch.hpp>

#include "fs/atomic_file.h"
#include "fs/scoped_temp_dir.h"

namespace xd {

TEST_CASE("records are appended one per line and read back oldest first") {
  ScopedTempDir dir;
  const HistoryLog log(dir / ".xdeploy/history.jsonl");
  CHECK(log.read().records.empty());  // missing file: just empty
  CHECK(log.read().error.empty());
  CHECK(log.append({{"verb", "deploy"}, {"color", "green"}}).empty());
  CHECK(log.append({{"verb", "promote"}, {"note", "line\nbreak"}}).empty());
  const auto r = log.read();
  REQUIRE(r.records.size() == 2);
  CHECK(r.records[0]["verb"] == "deploy");
  CHECK(r.records[1]["note"] == "line\nbreak");
  CHECK(r.skipped_lines == 0);
  const std::string text = read_text_file(log.file()).value();
  CHECK(std::count(text.begin(), text.end(), '\n') == 2);
  struct stat info {};
  REQUIRE(stat(log.file().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0644);
}

TEST_CASE("concurrent appenders from several processes never interleave") {
  ScopedTempDir dir;
  const HistoryLog log(dir / "history.jsonl");
  constexpr size_t kWriters = 4;
  constexpr size_t kLines = 200;
  std::vector<pid_t> children;
  for (size_t w = 0; w < kWriters; ++w) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int failures = 0;
      for (size_t i = 0; i < kLines; ++i) {
        // Long enough that a non-atomic append would visibly interleave.
        failures += !log.append({{"writer", w},
                                 {"i", i},
                                 {"pad", std::string(300, static_cast<char>('a' + w))}})
                         .empty();
      }
      _exit(failures == 0 ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  const auto r = log.read();
  CHECK(r.skipped_lines == 0);
  REQUIRE(r.records.size() == kWriters * kLines);
  std::set<std::pair<size_t, size_t>> seen;
  for (const auto& rec : r.records) {
    const auto w = rec["writer"].get<size_t>();
    CHECK(rec["pad"] == std::string(300, static_cast<char>('a' + w)));
    seen.emplace(w, rec["i"].get<size_t>());
  }
  CHECK(seen.size() == kWriters * kLines);
}

TEST_CASE("a torn last line is skipped and does not swallow the next record") {
  ScopedTempDir dir;
  const HistoryLog log(dir / "history.jsonl");
  REQUIRE(log.append({{"verb", "deploy"}}).empty());
  std::ofstream(log.file(), std::ios::app) << R"({"verb":"prom)";  // writer died mid-line
  auto r = log.read();
  CHECK(r.records.size() == 1);
  CHECK(r.skipped_lines == 1);

  REQUIRE(log.append({{"verb", "rollback"}}).empty());
  r = log.read();
  REQUIRE(r.records.size() == 2);
  CHECK(r.records[1]["verb"] == "rollback");
  CHECK(r.skipped_lines == 1);
}

TEST_CASE("malformed lines are counted, blank lines ignored") {
  ScopedTempDir dir;
  const HistoryLog log(dir / "history.jsonl");
  std::ofstream(log.file()) << "{\"a\":1}\n\nnot json\n[1,2]\n{\"b\":2}\n";
  const auto r = log.read();
  CHECK(r.records.size() == 2);
  CHECK(r.skipped_lines == 2);
  CHECK(r.error.empty());
}

TEST_CASE("unusable paths give a clear error and write nothing") {
  ScopedTempDir dir;
  std::ofstream(dir / "file") << "x";
  const HistoryLog under_file(dir / "file/history.jsonl");
  CHECK_THAT(under_file.append({{"a", 1}}),
             Catch::StartsWith("cannot create " + (dir / "file").string()));
  CHECK(read_text_file(dir / "file") == "x");

  std::filesystem::create_directory(dir / "a-dir");
  const HistoryLog on_dir(dir / "a-dir");
  CHECK_THAT(on_dir.append({{"a", 1}}),
             Catch::StartsWith("cannot open " + (dir / "a-dir").string() + ": "));
  CHECK(on_dir.read().error == "cannot read " + (dir / "a-dir").string());
  CHECK(std::filesystem::is_empty(dir / "a-dir"));
}

}  // namespace xd
