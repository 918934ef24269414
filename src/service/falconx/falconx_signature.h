#pragma once
// The FalconX request signature (FX-ACCESS-SIGN):
//   Base64(HMAC-SHA256(key = Base64-decode(secret), timestamp + METHOD + path_with_query + body))
// Sign the exact bytes that are sent; never re-serialise after signing.
#include <optional>
#include <string>
#include <string_view>

namespace xecutor {

struct SignatureInput {
  std::string_view timestamp;  // the FX-ACCESS-TIMESTAMP header text, verbatim
  std::string_view method;     // upper case
  std::string_view path;       // from '/', with the raw ?query when there is one
  std::string_view body;       // exact body bytes, empty when none
};

// nullopt when the secret is not valid Base64.
std::optional<std::string> falconx_signature(std::string_view secret_base64,
                                             const SignatureInput& input);

}  // namespace xecutor
