#include "falconx_signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base64.h"

namespace xecutor {

std::optional<std::string> falconx_signature(std::string_view secret_base64,
                                             const SignatureInput& in) {
  const auto key = base64_decode(secret_base64);
  if (!key) return std::nullopt;
  std::string prehash;
  prehash.reserve(in.timestamp.size() + in.method.size() + in.path.size() + in.body.size());
  prehash.append(in.timestamp).append(in.method).append(in.path).append(in.body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()),
           reinterpret_cast<const unsigned char*>(prehash.data()), prehash.size(), digest,
           &len) == nullptr)
    return std::nullopt;
  return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

}  // namespace xecutor
