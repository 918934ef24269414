#pragma once
// Where an S3 request goes, and the exact bytes of its path and query: pure.
//
// The bytes matter because libcurl 7.88 signs (CURLOPT_AWS_SIGV4) the path and
// query exactly as they appear in the URL, where SigV4 wants them canonical:
// every byte but A-Z a-z 0-9 - _ . ~ percent-encoded (the path keeps its '/'),
// and the query's parameters sorted by name. Built canonical here, the URL is
// what S3 signs on its side too (newer libcurl canonicalises again, to the same
// bytes).
#include <string>
#include <utility>
#include <vector>

namespace xd::s3 {

struct Bucket {
  std::string name;
  std::string region;  // e.g. "eu-central-1"; signs the request
  // Empty: AWS itself (https://<bucket>.s3.<region>.amazonaws.com, or path-style
  // https://s3.<region>.amazonaws.com/<bucket> when the name has a '.', which
  // the wildcard certificate does not cover). Else that endpoint: an emulator,
  // MinIO, a VPC endpoint (Terraform's `endpoints.s3`, AWS_ENDPOINT_URL_S3).
  std::string endpoint;
  bool path_style = false;  // <endpoint>/<bucket>/<key> instead of <bucket>.<host>/<key>
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// RFC 3986 unreserved bytes stay, everything else is %XX (upper case); '/' stays
// only when `keep_slash` (object keys in paths).
std::string uri_encode(const std::string& text, bool keep_slash);

// "a=1&b=2": sorted by name (then value), names and values encoded. A
// parameter without a value is written "name=" as SigV4 requires.
std::string canonical_query(QueryParams params);

// The URL of `key` in the bucket (key empty: the bucket itself), with `query`.
std::string s3_url(const Bucket& bucket, const std::string& key, const QueryParams& query = {});

// "s3://bucket/key": for messages.
std::string s3_uri(const Bucket& bucket, const std::string& key);

}  // namespace xd::s3
