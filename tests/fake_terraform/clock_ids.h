#pragma once
// Random identifiers and the timestamp formats Terraform prints (Go layouts).
#include <string>

namespace fake_tf {

inline constexpr const char* kTerraformVersion = "1.15.9";

std::string random_uuid();
// RFC 3339 with microseconds, as hclog writes "@timestamp": 2021-05-25T13:32:41.275359Z.
std::string rfc3339_micro_now();
// Go RFC3339Nano in UTC, as encoding/json writes time.Time.
std::string rfc3339_nano_now();
long long unix_millis_now();

}  // namespace fake_tf
