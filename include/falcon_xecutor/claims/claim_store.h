#pragma once
// A small durable store that every slot and every restart of the service
// share, with the two conditional writes that make "exactly once" hold across
// processes and hosts:
//   create()  writes a key only if nobody ever wrote it (S3: PUT with
//             `If-None-Match: *`; files: an exclusive link). The claim on an
//             alert identity is one create(): whoever gets Written may
//             execute, everyone else gets Conflict.
//   read() + replace()  compare-and-swap on a key's content (S3: ETag and
//             `If-Match`; files: a flock'd compare of the content hash), for
//             the running daily notional total.
// Failed means the store could not say (network, permissions, disk): callers
// in live mode must then refuse to trade, never guess.
// Keys are relative paths of [A-Za-z0-9._-] segments ("claims/xo-1f2e...").
#include <string>

namespace xecutor {

struct StoreWrite {
  enum class Outcome { Written, Conflict, Failed };
  Outcome outcome = Outcome::Failed;
  std::string error;  // when Failed: what went wrong, safe to log (never a credential)
};

struct StoreRead {
  enum class Outcome { Found, Absent, Failed };
  Outcome outcome = Outcome::Failed;
  std::string content;
  std::string version;  // opaque; hand it back to replace()
  std::string error;
};

class ClaimStore {
 public:
  virtual ~ClaimStore() = default;
  virtual StoreWrite create(const std::string& key, const std::string& content) = 0;
  virtual StoreRead read(const std::string& key) = 0;
  // Writes only if the key still holds the version read() returned; Conflict otherwise.
  virtual StoreWrite replace(const std::string& key, const std::string& content,
                             const std::string& version) = 0;
  // "file:/var/lib/..." or "s3://bucket/prefix/": for logs, no credentials.
  virtual std::string describe() const = 0;
};

// True for a key made of [A-Za-z0-9._-] segments separated by '/', none of them "." or "..".
bool valid_store_key(const std::string& key);

}  // namespace xecutor
