#pragma once
// ClaimStore on a local directory: for paper mode, tests, and one host. It is
// shared by every process on that host and survives restarts, but NOT by two
// Lightsail slots (each has its own disk): live blue/green uses S3.
//   create():  the content goes to a private temp file, is fsync'd, then
//              link(2)ed to the key: exclusive like O_EXCL (EEXIST = claimed)
//              and the claim is complete the moment it is visible.
//   replace(): under flock(2) on "<key>.lock", the current content's SHA-256
//              must still equal the version read() gave; then temp + rename.
#include <filesystem>

#include "falcon_xecutor/claims/claim_store.h"

namespace xecutor {

class FileClaimStore final : public ClaimStore {
 public:
  explicit FileClaimStore(std::filesystem::path root);
  StoreWrite create(const std::string& key, const std::string& content) override;
  StoreRead read(const std::string& key) override;
  StoreWrite replace(const std::string& key, const std::string& content,
                     const std::string& version) override;
  std::string describe() const override;

 private:
  std::filesystem::path root_;
};

}  // namespace xecutor
