// YamlDecoder: strict decoding of a positioned YamlNode tree into plain values, collecting errors
// in the words of Go's gopkg.in/yaml (what promtool prints for rule and test files):
//   yaml: unmarshal errors:
//     line 3: field foo not found in type rulefmt.RuleGroup
//     line 7: cannot unmarshal !!str `abc` into int
// A bad duration aborts decoding with `not a valid duration string: "5x"`, as Go's does.
//
// A decoder is a short-lived, single-threaded accumulator; it borrows nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "agent/config/yaml.h"

namespace tocsin::rules {

class YamlDecoder {
 public:
  bool ok() const { return errors_.empty() && fatal_.empty(); }
  // The error to print (fatal error, or the collected "yaml: unmarshal errors:" block).
  std::string Message() const;

  // Each returns true when `node` holds a usable value of the kind; null leaves the zero value
  // and returns false without an error; a wrong kind records a type error.
  bool ExpectMap(const YamlNode& node, const char* go_type);
  bool ExpectSeq(const YamlNode& node, const char* go_type);
  bool String(const YamlNode& node, std::string& out);
  bool Int(const YamlNode& node, int64_t& out);
  bool Float(const YamlNode& node, double& out);
  bool Bool(const YamlNode& node, bool& out);
  bool Duration(const YamlNode& node, std::chrono::milliseconds& out);
  // map[string]string in document order.
  bool StringMap(const YamlNode& node, std::vector<std::pair<std::string, std::string>>& out);
  bool StringList(const YamlNode& node, std::vector<std::string>& out);

  void UnknownField(const YamlNode& key, const char* go_type);
  void TypeError(const YamlNode& node, const char* go_type);
  void Fatal(std::string message) {
    if (fatal_.empty()) fatal_ = std::move(message);
  }

  // YAML 1.2 core-schema tag of a scalar as Go resolves it: "!!str", "!!int", "!!float",
  // "!!bool", "!!null".
  static const char* ScalarTag(const YamlNode& node);

 private:
  std::vector<std::string> errors_;
  std::string fatal_;
};

}  // namespace tocsin::rules
