#include "xdeploy/remote/s3_operation_lock.h"

#include <csignal>
#include <random>
#include <thread>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "json_text.h"
#include "xdeploy/core/duration.h"

namespace xd {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

std::string new_run_id() {
  std::random_device random;
  return fmt::format("{:08x}{:08x}", random(), random());
}

// The holder's lock, provably abandoned: it ran on this machine in this boot,
// held the very flock we hold now (so it, and everything it started, is gone),
// and its pid runs no more.
bool abandoned_here(const RemoteHolder& holder, const std::optional<LocalLockIdentity>& ours) {
  return ours && holder.local_lock && *holder.local_lock == *ours && !holder_alive_here(holder);
}

class HeldS3Lock final : public HeldLock {
 public:
  HeldS3Lock(const s3::Client& client, std::string key, std::string etag, std::string note)
      : client_(client), key_(std::move(key)), etag_(std::move(etag)) {
    if (!note.empty()) notes_.push_back(std::move(note));
  }
  ~HeldS3Lock() override { release(); }
  std::vector<std::string> notes() const override { return notes_; }

  std::vector<std::string> release() override {
    if (released_) return {};
    released_ = true;
    s3::Answer a;
    for (int attempt = 0; attempt < 3; ++attempt) {
      a = client_.delete_if_match(key_, etag_);
      if (a.answered) break;
    }
    const auto where = s3::s3_uri(client_.bucket(), key_);
    if (a.ok()) return {};
    if (a.outcome == s3::Outcome::PreconditionFailed || a.outcome == s3::Outcome::NotFound) {
      const auto now = client_.get(key_);
      const auto holder = now.ok() ? remote_holder_from_json(now.body) : std::nullopt;
      return {
          fmt::format("the deploy lock {} was broken while this run held it (`xdeploy unlock "
                      "--force`?); it is now {}",
                      where, holder ? "held by " + holder->describe() : std::string("free"))};
    }
    return {
        fmt::format("could not release the deploy lock {}: {}; `xdeploy unlock --force` "
                    "breaks it",
                    where, a.error)};
  }

 private:
  s3::Client client_;
  std::string key_;
  std::string etag_;
  std::vector<std::string> notes_;
  bool released_ = false;
};

}  // namespace

std::string RemoteHolder::describe() const {
  std::string text =
      fmt::format("{}@{} (pid {}, `{}`, since {}", user.empty() ? "?" : user,
                  host.empty() ? "?" : host, pid, verb, started_at.empty() ? "?" : started_at);
  if (!ci_job_url.empty()) text += ", CI job " + ci_job_url;
  return text + ")";
}

std::string remote_holder_json(const RemoteHolder& h) {
  json j{{"xdeploy_lock", 1},
         {"id", h.id},
         {"pid", h.pid},
         {"user", h.user},
         {"host", h.host},
         {"verb", h.verb},
         {"started_at", h.started_at}};
  if (!h.ci_job_url.empty()) j["ci_job_url"] = h.ci_job_url;
  if (!h.working_dir.empty()) j["working_dir"] = h.working_dir;
  if (h.local_lock)
    j["local_lock"] = {{"boot_id", h.local_lock->boot_id},
                       {"device", static_cast<unsigned long long>(h.local_lock->device)},
                       {"inode", static_cast<unsigned long long>(h.local_lock->inode)}};
  return j.dump();
}

std::optional<RemoteHolder> remote_holder_from_json(const std::string& text) {
  const auto j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("xdeploy_lock")) return std::nullopt;
  RemoteHolder h;
  h.id = text_or_empty(j, "id");
  if (const auto it = j.find("pid"); it != j.end() && it->is_number_integer())
    h.pid = it->get<int>();
  h.user = text_or_empty(j, "user");
  h.host = text_or_empty(j, "host");
  h.verb = text_or_empty(j, "verb");
  h.started_at = text_or_empty(j, "started_at");
  h.ci_job_url = text_or_empty(j, "ci_job_url");
  h.working_dir = text_or_empty(j, "working_dir");
  if (const auto it = j.find("local_lock"); it != j.end() && it->is_object()) {
    const auto& l = *it;
    if (l.contains("device") && l["device"].is_number_unsigned() && l.contains("inode") &&
        l["inode"].is_number_unsigned() && !text_or_empty(l, "boot_id").empty())
      h.local_lock = LocalLockIdentity{text_or_empty(l, "boot_id"),
                                       static_cast<dev_t>(l["device"].get<unsigned long long>()),
                                       static_cast<ino_t>(l["inode"].get<unsigned long long>())};
  }
  return h;
}

bool holder_alive_here(const RemoteHolder& holder) {
  const auto boot = current_boot_id();
  if (!holder.local_lock || boot.empty() || holder.local_lock->boot_id != boot) return false;
  return holder.pid > 0 && (kill(holder.pid, 0) == 0 || errno != ESRCH);
}

S3OperationLock::S3OperationLock(s3::Client client, std::string key, S3LockOptions options)
    : client_(std::move(client)), key_(std::move(key)), options_(std::move(options)) {}

std::string S3OperationLock::describe() const {
  return s3::s3_uri(client_.bucket(), key_);
}

std::unique_ptr<HeldLock> S3OperationLock::acquire(const LockAttempt& attempt,
                                                   LockRefusal* refusal) {
  RemoteHolder me{new_run_id(),        attempt.me.pid,       attempt.me.user,
                  attempt.me.host,     attempt.me.verb,      attempt.me.started_at,
                  options_.ci_job_url, options_.working_dir, attempt.local_lock};
  const std::string body = remote_holder_json(me);
  const auto start = Clock::now();
  auto pause = options_.first_pause;
  *refusal = LockRefusal{};
  int lost_answers = 0;
  for (;;) {
    const auto put = client_.put_if_absent(key_, body);
    if (put.ok()) return std::make_unique<HeldS3Lock>(client_, key_, put.etag, "");
    if (!put.answered && ++lost_answers > 3) {
      refusal->message = fmt::format("cannot take the deploy lock: {}", put.error);
      return nullptr;
    }
    if (put.answered && put.outcome != s3::Outcome::PreconditionFailed) {
      refusal->message = fmt::format("cannot take the deploy lock: {}", put.error);
      return nullptr;
    }
    // Held, or the answer was lost: read who holds it (it may be us).
    const auto seen = client_.get(key_);
    if (seen.outcome == s3::Outcome::NotFound) continue;  // released in between
    if (!seen.ok()) {
      refusal->message =
          fmt::format("cannot take the deploy lock: {}", put.answered ? seen.error : put.error);
      return nullptr;
    }
    const auto holder = remote_holder_from_json(seen.body);
    if (holder && holder->id == me.id)
      return std::make_unique<HeldS3Lock>(client_, key_, seen.etag, "");
    if (holder && abandoned_here(*holder, attempt.local_lock)) {
      const auto taken = client_.put_if_match(key_, body, seen.etag);
      if (taken.ok())
        return std::make_unique<HeldS3Lock>(
            client_, key_, taken.etag,
            fmt::format("took over the deploy lock {} left by xdeploy {}, which was killed: it ran "
                        "in this working dir on this machine, and neither it nor any Terraform it "
                        "started runs any more",
                        describe(), holder->describe()));
      continue;  // changed meanwhile: look again
    }
    const bool stop = attempt.interrupted && attempt.interrupted();
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    if (stop || waited + pause > attempt.wait) {
      refusal->busy = true;
      refusal->interrupted = stop;
      const bool dead_here = holder && holder->local_lock && !holder_alive_here(*holder) &&
                             holder->local_lock->boot_id == current_boot_id();
      refusal->orphaned = dead_here;
      refusal->who =
          holder ? (dead_here ? "xdeploy " + holder->describe() + ", which is gone (killed?)"
                              : holder->describe())
                 : std::string("another xdeploy (its lock object is not readable)");
      refusal->message =
          fmt::format("another xdeploy holds the deploy lock {}: {}", describe(), refusal->who);
      if (stop)
        refusal->message += "; stopped waiting for it (interrupted)";
      else if (attempt.wait.count() > 0)
        refusal->message += fmt::format("; still held after waiting {}", format_duration(waited));
      refusal->hint =
          "wait for it to finish, or pass --lock-wait 10m to queue behind it. If that run is dead "
          "(its runner was killed), `xdeploy unlock --force` breaks the lock it left; `xdeploy "
          "status` shows it";
      return nullptr;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(options_.max_pause, pause * 2);
  }
}

LockInspection S3OperationLock::inspect() const {
  LockInspection out;
  const auto a = client_.get(key_);
  if (a.outcome == s3::Outcome::NotFound) return out;
  if (!a.ok()) {
    out.error = a.error;
    return out;
  }
  out.held = true;
  out.etag = a.etag;
  out.holder = remote_holder_from_json(a.body);
  return out;
}

std::string S3OperationLock::break_lock(const LockInspection& seen) const {
  if (!seen.held) return "the deploy lock " + describe() + " is not held";
  if (seen.holder && holder_alive_here(*seen.holder))
    return fmt::format(
        "refusing to break the deploy lock {}: its holder runs on this machine "
        "(pid {}): wait for it, or stop it with Ctrl-C",
        describe(), seen.holder->pid);
  const auto a = client_.delete_if_match(key_, seen.etag);
  if (a.ok()) return "";
  if (a.outcome == s3::Outcome::PreconditionFailed || a.outcome == s3::Outcome::NotFound)
    return fmt::format(
        "the deploy lock {} changed since it was read (released, or taken by "
        "another run): nothing was broken; run `xdeploy unlock --force` again to "
        "see who holds it now",
        describe());
  return fmt::format("could not break the deploy lock {}: {}", describe(), a.error);
}

}  // namespace xd
