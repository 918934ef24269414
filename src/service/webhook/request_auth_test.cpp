#include "falcon_xecutor/webhook/request_auth.h"

#include <catch2/catch.hpp>

using namespace xecutor;

TEST_CASE("service: headers from an untrusted peer are ignored") {
  const AddressPolicy none{};
  CHECK(client_address(none, "203.0.113.9", "52.89.214.238", "52.89.214.238") == "203.0.113.9");
  const AddressPolicy proxied{{}, {"10.0.0.1"}};
  CHECK(client_address(proxied, "203.0.113.9", "52.89.214.238", "") == "203.0.113.9");
}

TEST_CASE("service: a trusted proxy's X-Real-IP or X-Forwarded-For (from the right) is believed") {
  const AddressPolicy p{{}, {"127.0.0.1", "10.0.0.2"}};
  // Our nginx front overwrites both with the peer: they agree.
  CHECK(client_address(p, "127.0.0.1", "52.89.214.238", "52.89.214.238") == "52.89.214.238");
  CHECK(client_address(p, "::ffff:127.0.0.1", " 52.89.214.238 ", "") == "52.89.214.238");
  // The client can prepend anything; only the hop the proxies saw counts.
  CHECK(client_address(p, "127.0.0.1", "", "52.89.214.238, 198.51.100.7, 10.0.0.2") ==
        "198.51.100.7");
  CHECK(client_address(p, "127.0.0.1", "", "10.0.0.2") == "127.0.0.1");  // only proxies: the peer
  CHECK(client_address(p, "127.0.0.1", "", "") == "127.0.0.1");
}

TEST_CASE("service: a client cannot smuggle an address past a proxy that sets only one header") {
  const AddressPolicy p{{"52.89.214.238"}, {"127.0.0.1"}};
  // A proxy that only appends X-Forwarded-For passes the client's X-Real-IP on
  // (issue 10: this used to be believed first and passed the allow-list).
  const auto append_only = client_address(p, "127.0.0.1", "52.89.214.238", "198.51.100.7");
  CHECK(append_only == kConflictingProxyHeaders);
  CHECK_FALSE(address_allowed(p, append_only));
  // A proxy that only sets X-Real-IP passes the client's X-Forwarded-For on.
  const auto real_only = client_address(p, "127.0.0.1", "198.51.100.7", "52.89.214.238");
  CHECK(real_only == kConflictingProxyHeaders);
  CHECK_FALSE(address_allowed(p, real_only));
  // Trusted hops only in X-Forwarded-For name no client: X-Real-IP decides.
  CHECK(client_address(p, "127.0.0.1", "52.89.214.238", "127.0.0.1") == "52.89.214.238");
}

TEST_CASE("service: allow-list applies to the believed client") {
  const AddressPolicy p{{"52.89.214.238"}, {"127.0.0.1"}};
  CHECK(address_allowed(p, "52.89.214.238"));
  CHECK_FALSE(address_allowed(p, "127.0.0.1"));
  CHECK(address_allowed(AddressPolicy{}, "anything"));
}

TEST_CASE("service: secret comparison") {
  CHECK(secret_matches("s3cret", "s3cret"));
  CHECK_FALSE(secret_matches("s3cret", "s3creT"));
  CHECK_FALSE(secret_matches("s3cret", "s3cret "));
  CHECK_FALSE(secret_matches("s3cret", ""));
  CHECK_FALSE(secret_matches("", ""));  // unset secret never matches
}

TEST_CASE("service: auth decision order: address, then secret") {
  const AddressPolicy p{{"52.89.214.238"}, {"127.0.0.1"}};
  const std::string good = "s3cret";
  const std::string bad = "nope";
  CHECK(decide_auth(p, "s3cret", {"127.0.0.1", "52.89.214.238", "", &good}).verdict ==
        AuthVerdict::Allowed);
  CHECK(decide_auth(p, "s3cret", {"127.0.0.1", "52.89.214.238", "", &bad}).verdict ==
        AuthVerdict::SecretWrong);
  CHECK(decide_auth(p, "s3cret", {"127.0.0.1", "52.89.214.238", "", nullptr}).verdict ==
        AuthVerdict::SecretMissing);
  // Forged header straight to the port: refused even with the right secret.
  const auto forged = decide_auth(p, "s3cret", {"203.0.113.9", "52.89.214.238", "", &good});
  CHECK(forged.verdict == AuthVerdict::AddressRefused);
  CHECK(forged.client == "203.0.113.9");
}
