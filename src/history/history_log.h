#pragma once
// .xdeploy/history.jsonl: one JSON object per operation, appended with a
// single O_APPEND write and fsync'd, so concurrent writers never interleave
// and a crash loses at most the line being written (a torn last line is
// skipped on read, not fatal).
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace xd {

class HistoryLog {
 public:
  explicit HistoryLog(std::filesystem::path file) : file_(std::move(file)) {}

  // Returns an empty string on success, else what went wrong.
  std::string append(const nlohmann::json& record) const;

  struct ReadResult {
    std::vector<nlohmann::json> records;  // oldest first
    int skipped_lines = 0;                // malformed/torn lines
    std::string error;                    // I/O error; a missing file is just empty
  };
  ReadResult read() const;

  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
};

}  // namespace xd
