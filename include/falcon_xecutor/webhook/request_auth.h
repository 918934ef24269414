#pragma once
// Who is asking, and may they place an order? Pure decisions, no sockets.
//  1. The client address is the socket peer. X-Real-IP / X-Forwarded-For are
//     believed only when the peer is a configured trusted proxy: anyone who
//     reaches the port directly could otherwise claim an allowed address.
//     Behind a proxy, the client controls whichever of the two headers the
//     proxy does not overwrite, so both must agree when both are present.
//  2. With an allow-list, the client address must be on it.
//  3. The alert's secret line must match, compared in constant time.
#include <string>
#include <vector>

namespace xecutor {

struct AddressPolicy {
  std::vector<std::string> allowed_ips;      // empty: no address restriction
  std::vector<std::string> trusted_proxies;  // empty: headers never believed
};

// "::ffff:1.2.3.4" -> "1.2.3.4"; surrounding blanks removed.
std::string normalize_address(std::string address);

// What client_address answers when X-Real-IP and X-Forwarded-For disagree:
// not an address, so no allow-list matches it.
inline constexpr const char* kConflictingProxyHeaders = "conflicting-X-Real-IP-and-X-Forwarded-For";

// The address the decision is made on.
std::string client_address(const AddressPolicy& policy, const std::string& peer,
                           const std::string& x_real_ip, const std::string& x_forwarded_for);

bool address_allowed(const AddressPolicy& policy, const std::string& client);

// Constant-time equality (HMACs of both under a per-process random key, then
// CRYPTO_memcmp) so neither content nor length leaks through timing.
bool secret_matches(const std::string& expected, const std::string& given);

enum class AuthVerdict { Allowed, AddressRefused, SecretMissing, SecretWrong };

struct AuthDecision {
  AuthVerdict verdict = AuthVerdict::SecretWrong;
  std::string client;
};

struct AuthInput {
  std::string peer;
  std::string x_real_ip;
  std::string x_forwarded_for;
  const std::string* given_secret = nullptr;  // null: no secret line
};

AuthDecision decide_auth(const AddressPolicy& policy, const std::string& expected_secret,
                         const AuthInput& input);

}  // namespace xecutor
