// LoadWebConfigFile: reads Prometheus exporter-toolkit's web-config.yml into WebSecurityConfig.
//
// Same keys, defaults and checks as exporter-toolkit (unknown keys are errors, Go cipher suite
// and curve names, TLS10..TLS13, the allowed security headers, bcrypt hashes), each problem as
// `file:line:col: key.path: message`, all at once. Paths resolve against the file's directory.
// Stateless; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "agent/config/web_security_config.h"
#include "agent/core/status.h"

namespace tocsin {

Result<WebSecurityConfig> LoadWebConfigFile(const std::string& path);
// For tests: `source_name` prefixes errors; its directory anchors relative paths.
Result<WebSecurityConfig> LoadWebConfigString(std::string_view text, std::string_view source_name);

// The OpenSSL name of a Go cipher suite name (crypto/tls's CipherSuites()), "" for a TLS 1.3
// suite (not configurable, as in Go), or nullopt-like "?" when unknown.
std::string OpenSslCipherName(std::string_view go_name);

}  // namespace tocsin
