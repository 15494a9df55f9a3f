// Go strconv-compatible integer parsing for the network parts, whose node_exporter/procfs
// originals use strconv.ParseInt/ParseUint: base 0 infers the base from a "0x", "0o", "0b" or
// "0" prefix and allows Go's digit-separating underscores; bases 2..16 take plain digits.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace tocsin::system {

// strconv.ParseUint(s, base, bits): nullopt on syntax error or when the value does not fit in
// `bits` (8..64) bits. base is 0 or 2..16.
std::optional<uint64_t> GoParseUint(std::string_view s, int base, int bits = 64);

// strconv.ParseInt(s, base, 64): an optional sign, then as GoParseUint.
std::optional<int64_t> GoParseInt(std::string_view s, int base);

// bytes.TrimSpace for ASCII input: strips ' ', '\t', '\n', '\v', '\f', '\r' at both ends.
std::string_view GoTrimSpace(std::string_view s);

// strings.Fields for ASCII input: the runs of non-space characters of `s` (views into it).
std::vector<std::string_view> GoFields(std::string_view s);

}  // namespace tocsin::system
