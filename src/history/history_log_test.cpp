#include "xdeploy/history/history_log.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/scoped_temp_dir.h"
#include "xdeploy/fs/atomic_file.h"

using xd::testing::ScopedTempDir;

namespace xd {

namespace {
// Forks `writers` processes, writer w running append_all(w) (which returns how many of its
// appends failed), and waits for each; each must exit 0 (every append it made succeeded).
void run_concurrent_writers(size_t writers, const std::function<int(size_t)>& append_all) {
  std::vector<pid_t> children;
  for (size_t w = 0; w < writers; ++w) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) _exit(append_all(w) == 0 ? 0 : 1);
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
}
}  // namespace

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
  CHECK((info.st_mode & 0777) == 0600);  // names, hosts and messages: the owner's only
}

TEST_CASE("concurrent appenders from several processes never interleave") {
  ScopedTempDir dir;
  const HistoryLog log(dir / "history.jsonl");
  constexpr size_t kWriters = 4;
  constexpr size_t kLines = 200;
  run_concurrent_writers(kWriters, [&](size_t w) {
    int failures = 0;
    for (size_t i = 0; i < kLines; ++i) {
      // Long enough that a non-atomic append would visibly interleave.
      failures +=
          !log.append(
                  {{"writer", w}, {"i", i}, {"pad", std::string(300, static_cast<char>('a' + w))}})
               .empty();
    }
    return failures;
  });
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

TEST_CASE("read(limit) reads from the end: earlier lines are never parsed") {
  ScopedTempDir dir;
  const HistoryLog log(dir / "history.jsonl");
  std::ofstream(log.file()) << "not json\n"
                            << R"({"verb":5})"
                            << "\n";
  for (int i = 0; i < 5; ++i) REQUIRE(log.append({{"verb", "v" + std::to_string(i)}}).empty());
  const auto r = log.read(2);
  REQUIRE(r.records.size() == 2);
  CHECK(r.records[0]["verb"] == "v3");  // oldest first
  CHECK(r.records[1]["verb"] == "v4");
  CHECK(r.skipped_lines == 0);  // the two bad lines at the start were not reached
  const auto all = log.read();
  CHECK(all.records.size() == 5);
  CHECK(all.skipped_lines == 2);  // `{"verb":5}` is skipped, not a crash
}

TEST_CASE("a huge line is skipped unparsed and costs bounded memory") {
  ScopedTempDir dir;
  const HistoryLog log(dir / "history.jsonl", HistoryLimits{64 << 20, 2000});  // no rotation here
  REQUIRE(log.append({{"verb", "before"}}).empty());
  {
    std::ofstream out(log.file(), std::ios::app);
    out << R"({"verb":")";
    const std::string chunk(1 << 20, 'x');
    for (int i = 0; i < 8; ++i) out << chunk;  // 8 MB: over the 1 MB cap
    out << "\"}\n";
  }
  REQUIRE(log.append({{"verb", "after"}}).empty());
  const auto r = log.read();
  REQUIRE(r.records.size() == 2);
  CHECK(r.records[0]["verb"] == "before");
  CHECK(r.records[1]["verb"] == "after");
  CHECK(r.skipped_lines == 1);
}

TEST_CASE("past max_bytes the file is rotated, keeping the newest records") {
  ScopedTempDir dir;
  const HistoryLog log(dir / "history.jsonl", HistoryLimits{4000, 5});
  for (int i = 0; i < 200; ++i)
    REQUIRE(
        log.append({{"verb", "v" + std::to_string(i)}, {"pad", std::string(100, 'p')}}).empty());
  struct stat info {};
  REQUIRE(stat(log.file().c_str(), &info) == 0);
  CHECK(info.st_size <= 4000 + 200);  // never more than one record past the limit
  CHECK((info.st_mode & 0777) == 0600);
  const auto r = log.read();
  CHECK(r.skipped_lines == 0);
  REQUIRE(r.records.size() >= 5);
  CHECK(r.records.back()["verb"] == "v199");
  for (size_t i = 1; i < r.records.size(); ++i)  // consecutive, oldest first: nothing lost between
    CHECK(std::stoi(r.records[i]["verb"].get<std::string>().substr(1)) ==
          std::stoi(r.records[i - 1]["verb"].get<std::string>().substr(1)) + 1);
}

TEST_CASE("concurrent appenders and rotations lose no recent record and tear none") {
  ScopedTempDir dir;
  const HistoryLog log(dir / "history.jsonl", HistoryLimits{20000, 40});
  constexpr size_t kWriters = 4;
  constexpr size_t kLines = 100;
  run_concurrent_writers(kWriters, [&](size_t w) {
    int failures = 0;
    for (size_t i = 0; i < kLines; ++i)
      failures += !log.append({{"writer", w}, {"i", i}, {"pad", std::string(300, 'z')}}).empty();
    return failures;
  });
  const auto r = log.read();
  CHECK(r.skipped_lines == 0);
  REQUIRE(r.records.size() >= 40);
  // Every writer's own records stay in order: a rotation never reorders or drops the middle.
  std::map<size_t, size_t> last_i;
  for (const auto& rec : r.records) {
    const auto w = rec["writer"].get<size_t>();
    const auto i = rec["i"].get<size_t>();
    if (last_i.count(w)) CHECK(i == last_i[w] + 1);
    last_i[w] = i;
  }
}

}  // namespace xd
