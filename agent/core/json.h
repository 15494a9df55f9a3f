// JSON encoding for everything the agent writes (API answers, the durable queue, the alert
// state file, notifier payloads): one encoder with Go encoding/json's rules, so output matches
// what Prometheus and Alertmanager write and never fails on bad bytes.
//   - invalid UTF-8 becomes the escape \ufffd, one per bad byte (Go's appendString);
//   - control characters < 0x20 other than \n \r \t become \u00XX; U+2028/U+2029 are escaped;
//   - with escape_html, < > & become \u003c \u003e \u0026 (json.Marshal's default, which
//     Alertmanager's webhook payloads use; Prometheus's API writes them raw);
//   - floats use Go's float64 encoding ('f' form, 'e' below 1e-6 or from 1e21), NaN and
//     infinities (which Go refuses) become null.
// The tree type is nlohmann::json (the project's JSON library); this file is its only writer.
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace tocsin {

struct JsonOptions {
  int indent = -1;  // < 0: compact; otherwise spaces per level (json.MarshalIndent)
  bool escape_html = false;
};

std::string EncodeJson(const nlohmann::json& value, JsonOptions options = {});
// Appends `s` as a quoted JSON string.
void AppendJsonString(std::string& out, std::string_view s, bool escape_html = false);
// Appends a float64 as Go's encoding/json writes it.
void AppendJsonFloat(std::string& out, double v);

}  // namespace tocsin
