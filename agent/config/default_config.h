// The built-in default configuration: systemd/tocsin.yml, embedded byte for byte at build time.
//
// `tocsin run` without --config loads this text (LoadDefaultConfig in loader.h); the package
// installs the same file as /etc/tocsin/tocsin.yml. Static storage; safe from any thread.
#pragma once

#include <string_view>

namespace tocsin {

// The source name the default config's errors and Config::source_file carry.
inline constexpr std::string_view kBuiltInConfigSource = "<built-in>";

std::string_view DefaultConfigText();

}  // namespace tocsin
