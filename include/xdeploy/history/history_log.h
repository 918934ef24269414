#pragma once
// .xdeploy/history.jsonl: one JSON object per operation, appended with a
// single O_APPEND write and fsync'd, so concurrent writers never interleave
// and a crash loses at most the line being written (a torn last line is
// skipped on read, not fatal). Past `max_bytes` the file is rotated: it is
// rewritten atomically with only the newest `keep_records` records. Reading
// starts at the end, so `history --limit N` costs N records, not the file.
#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace xd {

struct HistoryLimits {
  off_t max_bytes = 8 << 20;   // rotate the file past this size...
  size_t keep_records = 2000;  // ...keeping this many of the newest records
};

class HistoryLog {
 public:
  explicit HistoryLog(std::filesystem::path file, HistoryLimits limits = {})
      : file_(std::move(file)), limits_(limits) {}

  // Returns an empty string on success, else what went wrong.
  std::string append(const nlohmann::json& record) const;

  struct ReadResult {
    std::vector<nlohmann::json> records;  // oldest first
    int skipped_lines = 0;                // malformed/torn/oversized/wrongly typed lines seen
    std::string error;                    // I/O error; a missing file is just empty
  };
  // The newest `limit` well-formed records (0: all), read from the end.
  ReadResult read(size_t limit = 0) const;

  const std::filesystem::path& file() const { return file_; }

 private:
  std::string rotate_if_needed(int fd) const;

  std::filesystem::path file_;
  HistoryLimits limits_;
};

}  // namespace xd
