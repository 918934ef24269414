#include "terraform_addresses.h"

#include <fmt/format.h>

namespace xd {

std::string slot_address(Color c) {
  return fmt::format("module.slot[\"{}\"]", to_string(c));
}

std::string slot_instance_address(Color c) {
  return slot_address(c) + ".aws_lightsail_instance.this";
}

}  // namespace xd
