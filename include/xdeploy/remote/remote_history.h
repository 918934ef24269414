#pragma once
// The shared history of a remote state: each operation's record is one new
// object under <state key>.xdeploy/history/, written create-only (If-None-Match:
// *), so no record is ever overwritten, whichever machine writes it. Keys sort
// newest first (S3 lists in key order): <9999999999999 - epoch ms>-<host>-<random>.json,
// so `history --limit N` reads one page of N keys and N objects, not the whole prefix.
#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "xdeploy/s3/s3_client.h"

namespace xd {

struct RemoteHistoryRead {
  std::vector<nlohmann::json> records;  // newest first
  int skipped = 0;                      // objects that are not a record
  int requests = 0;
  std::string error;
};

class RemoteHistory {
 public:
  RemoteHistory(s3::Client client, std::string prefix)
      : client_(std::move(client)), prefix_(std::move(prefix)) {}

  // "" on success, else why the record is not stored remotely.
  std::string append(const nlohmann::json& record, std::chrono::system_clock::time_point when =
                                                       std::chrono::system_clock::now()) const;
  RemoteHistoryRead read(size_t limit) const;  // 0: all

  const std::string& prefix() const { return prefix_; }

 private:
  s3::Client client_;
  std::string prefix_;
};

// The object key a record written at `when` by `host` gets (pure; `nonce` makes it unique).
std::string history_object_name(std::chrono::system_clock::time_point when, const std::string& host,
                                const std::string& nonce);

// Local and remote records as one list, newest first, each operation once (a
// remote state's run writes its record both to .xdeploy/history.jsonl and to
// S3), at most `limit` (0: all). Order: started_at, then host.
std::vector<nlohmann::json> merge_history(std::vector<nlohmann::json> local,
                                          std::vector<nlohmann::json> remote, size_t limit);

}  // namespace xd
