#include "xdeploy/remote/remote_history.h"

#include <algorithm>
#include <random>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "json_text.h"
#include "xdeploy/history/history_entry.h"

namespace xd {
namespace {

constexpr long long kLastMillis = 9999999999999LL;  // year 2286: keys stay 13 digits

// One operation, wherever its record was read: when, where, who, what.
std::tuple<std::string, std::string, std::string, std::string> identity(const nlohmann::json& r) {
  return {text_or_empty(r, "started_at"), text_or_empty(r, "host"), text_or_empty(r, "user"),
          text_or_empty(r, "verb")};
}

std::string safe_host(const std::string& host) {
  std::string out;
  for (const char c : host)
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_';
  return out.empty() ? "unknown" : out.substr(0, 64);
}

}  // namespace

std::string history_object_name(std::chrono::system_clock::time_point when, const std::string& host,
                                const std::string& nonce) {
  const long long ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
  return fmt::format("{:013}-{}-{}.json", kLastMillis - std::clamp(ms, 0LL, kLastMillis),
                     safe_host(host), nonce);
}

std::string RemoteHistory::append(const nlohmann::json& record,
                                  std::chrono::system_clock::time_point when) const {
  std::random_device random;
  const auto key = prefix_ + history_object_name(when, text_or_empty(record, "host"),
                                                 fmt::format("{:08x}", random()));
  const auto body = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const auto a = client_.put_if_absent(key, body);
  if (a.ok()) return "";
  return a.error.empty() ? s3::describe_failure(a, "PUT " + s3::s3_uri(client_.bucket(), key))
                         : a.error;
}

RemoteHistoryRead RemoteHistory::read(size_t limit) const {
  RemoteHistoryRead out;
  const auto listed = client_.list(prefix_, limit);
  out.requests = listed.requests;
  if (!listed.error.empty()) {
    out.error = listed.error;
    return out;
  }
  for (const auto& object : listed.objects) {
    const auto a = client_.get(object.key);
    ++out.requests;
    if (a.outcome == s3::Outcome::NotFound) continue;  // deleted meanwhile (a lifecycle rule)
    if (!a.ok()) {
      out.error = a.error;
      return out;
    }
    auto record = parse_history_line(a.body);
    if (record)
      out.records.push_back(std::move(*record));
    else
      ++out.skipped;
  }
  return out;
}

std::vector<nlohmann::json> merge_history(std::vector<nlohmann::json> local,
                                          std::vector<nlohmann::json> remote, size_t limit) {
  std::vector<nlohmann::json> all;
  std::set<std::tuple<std::string, std::string, std::string, std::string>> seen;
  for (auto* list : {&remote, &local})
    for (auto& r : *list)
      if (seen.insert(identity(r)).second) all.push_back(std::move(r));
  std::stable_sort(all.begin(), all.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return std::make_pair(text_or_empty(a, "started_at"), text_or_empty(a, "host")) >
           std::make_pair(text_or_empty(b, "started_at"), text_or_empty(b, "host"));
  });
  if (limit > 0 && all.size() > limit) all.resize(limit);
  return all;
}

}  // namespace xd
