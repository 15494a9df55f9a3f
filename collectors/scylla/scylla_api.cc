#include "collectors/scylla/scylla_api.h"

#include <nlohmann/json.hpp>

namespace tocsin::scylla {
namespace {

nlohmann::json Parse(std::string_view body) {
  return nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
}

std::string Excerpt(std::string_view body) {
  std::string s(body.substr(0, 60));
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return body.size() > 60 ? s + "..." : s;
}

}  // namespace

Result<std::string> DecodeJsonString(std::string_view body) {
  nlohmann::json j = Parse(body);
  if (!j.is_string()) return InvalidArgument("expected a JSON string, got: " + Excerpt(body));
  return j.get<std::string>();
}

Result<std::vector<std::string>> DecodeJsonStringList(std::string_view body) {
  nlohmann::json j = Parse(body);
  if (!j.is_array()) return InvalidArgument("expected a JSON array, got: " + Excerpt(body));
  std::vector<std::string> out;
  for (const auto& e : j) {
    if (!e.is_string()) return InvalidArgument("expected an array of strings: " + Excerpt(body));
    out.push_back(e.get<std::string>());
  }
  return out;
}

Result<double> DecodeJsonNumber(std::string_view body) {
  nlohmann::json j = Parse(body);
  if (!j.is_number()) return InvalidArgument("expected a JSON number, got: " + Excerpt(body));
  return j.get<double>();
}

int OperationModeCode(std::string_view mode) {
  static constexpr std::string_view kModes[] = {"UNKNOWN", "STARTING",       "JOINING",  "NORMAL",
                                                "LEAVING", "DECOMMISSIONED", "DRAINING", "DRAINED",
                                                "MOVING",  "MAINTENANCE"};
  for (int i = 0; i < static_cast<int>(std::size(kModes)); ++i) {
    if (kModes[i] == mode) return i;
  }
  return 0;
}

}  // namespace tocsin::scylla
