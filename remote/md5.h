// Md5: the MD5 digest (RFC 1321), only for relabel's hashmod, which Prometheus defines over
// MD5. Not for security. Pure; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace tocsin::remote {

std::array<uint8_t, 16> Md5(std::string_view data);

}  // namespace tocsin::remote
