#pragma once
// The Terraform addresses of the contract between xdeploy, terraform/ and the
// fake terraform: where each slot lives, the module that holds the static IP
// attachment and its gate, and the resources the first deploy creates once.
#include <string>

#include "xdeploy/core/color.h"

namespace xd {

std::string slot_address(Color c);  // module.slot["green"]
inline constexpr const char* kUpgradeModule = "module.upgrade";
inline constexpr const char* kStaticIpAddress = "aws_lightsail_static_ip.this";
// The execution-claims store both slots share (terraform/claims.tf): created with the first
// slot, which depends on it, and never touched by a verb after that.
inline constexpr const char* kClaimsBucket = "aws_s3_bucket.claims";
inline constexpr const char* kClaimsBucketAccess = "aws_s3_bucket_public_access_block.claims";
std::string slot_instance_address(Color c);  // module.slot["green"].aws_lightsail_instance.this

}  // namespace xd
