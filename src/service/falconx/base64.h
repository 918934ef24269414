#pragma once
// Standard Base64 (with padding) over OpenSSL's EVP block codec.
#include <optional>
#include <string>
#include <string_view>

namespace xecutor {

std::string base64_encode(std::string_view bytes);
// nullopt when the text is not valid padded standard Base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace xecutor
