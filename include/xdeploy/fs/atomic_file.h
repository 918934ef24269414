#pragma once
// Files that are either the old content or the new one, never half of each:
// write to a temp file in the same directory, fsync, rename, fsync the dir.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace xd {

// Returns an empty string on success, else what went wrong (and the old file,
// if any, is untouched). Missing parent directories are created; `mode` is
// applied exactly, whatever the umask.
std::string write_file_atomically(const std::filesystem::path& path, std::string_view content,
                                  mode_t mode = 0644);
// nullopt when the file is missing, not a regular file, or unreadable.
std::optional<std::string> read_text_file(const std::filesystem::path& path);

}  // namespace xd
