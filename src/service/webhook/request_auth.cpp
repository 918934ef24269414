#include "falcon_xecutor/webhook/request_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace xecutor {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto comma = text.find(',', pos);
    out.push_back(normalize_address(
        text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos)));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

const std::array<unsigned char, 32>& compare_key() {
  static const std::array<unsigned char, 32> key = [] {
    std::array<unsigned char, 32> k{};
    if (RAND_bytes(k.data(), static_cast<int>(k.size())) != 1)
      throw std::runtime_error("RAND_bytes failed");
    return k;
  }();
  return key;
}

std::array<unsigned char, 32> mac(const std::string& text) {
  std::array<unsigned char, 32> out{};
  unsigned int len = 0;
  const auto& key = compare_key();
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data(), &len);
  return out;
}

}  // namespace

std::string normalize_address(std::string address) {
  address = trim(address);
  constexpr std::string_view kMapped = "::ffff:";
  if (address.size() > kMapped.size() && address.compare(0, kMapped.size(), kMapped) == 0 &&
      address.find('.') != std::string::npos)
    address.erase(0, kMapped.size());
  return address;
}

std::string client_address(const AddressPolicy& policy, const std::string& peer,
                           const std::string& x_real_ip, const std::string& x_forwarded_for) {
  std::string direct = normalize_address(peer);
  if (!contains(policy.trusted_proxies, direct)) return direct;
  // Right to left: each trusted proxy appended the address it saw; the first
  // untrusted one is the real client (anything left of it is client-supplied).
  std::string from_xff;
  const auto hops = split_commas(x_forwarded_for);
  for (auto it = hops.rbegin(); it != hops.rend() && from_xff.empty(); ++it)
    if (!it->empty() && !contains(policy.trusted_proxies, *it)) from_xff = *it;
  std::string real = normalize_address(x_real_ip);
  // A proxy that only appends X-Forwarded-For passes the client's X-Real-IP
  // through; one that only sets X-Real-IP passes the client's X-Forwarded-For
  // through. Either way the client controls one header and the proxy wrote the
  // other, so when both name a client they must agree (our nginx front sets
  // both to the peer), otherwise no address is believed.
  if (!from_xff.empty() && !real.empty() && from_xff != real) return kConflictingProxyHeaders;
  if (!from_xff.empty()) return from_xff;
  if (!real.empty()) return real;
  return direct;
}

bool address_allowed(const AddressPolicy& policy, const std::string& client) {
  return policy.allowed_ips.empty() || contains(policy.allowed_ips, client);
}

bool secret_matches(const std::string& expected, const std::string& given) {
  if (expected.empty()) return false;  // an unset secret never matches (not even an empty line)
  const auto a = mac(expected);
  const auto b = mac(given);
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

AuthDecision decide_auth(const AddressPolicy& policy, const std::string& expected_secret,
                         const AuthInput& in) {
  AuthDecision d;
  d.client = client_address(policy, in.peer, in.x_real_ip, in.x_forwarded_for);
  if (!address_allowed(policy, d.client)) {
    d.verdict = AuthVerdict::AddressRefused;
  } else if (in.given_secret == nullptr) {
    d.verdict = AuthVerdict::SecretMissing;
  } else {
    d.verdict = secret_matches(expected_secret, *in.given_secret) ? AuthVerdict::Allowed
                                                                  : AuthVerdict::SecretWrong;
  }
  return d;
}

}  // namespace xecutor
