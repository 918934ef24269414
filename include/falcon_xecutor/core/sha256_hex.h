#pragma once
// Lowercase hex SHA-256 of a byte string: alert identities and S3 payload hashes.
#include <string>

namespace xecutor {

std::string hex_sha256(const std::string& text);

}  // namespace xecutor
