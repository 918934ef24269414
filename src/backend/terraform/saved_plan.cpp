#include "saved_plan.h"

#include <fmt/format.h>
#include <zip.h>

#include <algorithm>
#include <iterator>
#include <memory>

#include "state_pull.h"

namespace xd {

namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }  // read-only: nothing to write back
};
struct EntryCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

// One entry's bytes; nullopt with `error` set when it is missing or unreadable.
std::optional<std::string> entry(zip_t* archive, const char* name, std::string* error) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(archive, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
    *error = fmt::format("the plan file has no `{}` entry", name);
    return std::nullopt;
  }
  std::unique_ptr<zip_file_t, EntryCloser> file(zip_fopen(archive, name, 0));
  if (!file) {
    *error = fmt::format("cannot open the plan file's `{}` entry", name);
    return std::nullopt;
  }
  std::string bytes(st.size, '\0');
  const auto got = zip_fread(file.get(), bytes.data(), st.size);
  if (got < 0 || static_cast<zip_uint64_t>(got) != st.size) {
    *error = fmt::format("cannot read the plan file's `{}` entry", name);
    return std::nullopt;
  }
  return bytes;
}

std::optional<StateFacts> state_entry(zip_t* archive, const char* name, std::string* error) {
  auto bytes = entry(archive, name, error);
  if (!bytes) return std::nullopt;
  std::string why;
  auto facts = parse_state_pull(*bytes, &why);
  if (!facts) *error = fmt::format("the plan file's `{}`: {}", name, why);
  return facts;
}

}  // namespace

std::optional<SavedPlanStates> read_saved_plan_states(const std::string& path, std::string* error) {
  std::string why;
  int code = 0;
  std::unique_ptr<zip_t, ZipCloser> archive(zip_open(path.c_str(), ZIP_RDONLY, &code));
  if (!archive) {
    zip_error_t e;
    zip_error_init_with_code(&e, code);
    why = fmt::format("cannot open the saved plan {} as a zip: {}", path, zip_error_strerror(&e));
    zip_error_fini(&e);
    if (error) *error = why;
    return std::nullopt;
  }
  SavedPlanStates states;
  auto before = state_entry(archive.get(), "tfstate-prev", &why);
  auto refreshed = before ? state_entry(archive.get(), "tfstate", &why) : std::nullopt;
  if (!before || !refreshed) {
    if (error) *error = why;
    return std::nullopt;
  }
  states.before_refresh = std::move(*before);
  states.refreshed = std::move(*refreshed);
  return states;
}

std::vector<std::string> dropped_by_refresh(const SavedPlanStates& states) {
  std::vector<std::string> dropped;
  std::set_difference(states.before_refresh.managed.begin(), states.before_refresh.managed.end(),
                      states.refreshed.managed.begin(), states.refreshed.managed.end(),
                      std::back_inserter(dropped));
  return dropped;
}

}  // namespace xd
