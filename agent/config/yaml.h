// YamlNode: a parsed YAML document as our own tree, with the line and column of every node and
// key, so that config, rule-file and test-file loaders can report `file:line:col: key: message`.
//
// This header is the adapter's face: yaml-cpp is used only in yaml.cc; its types and exceptions
// never leave it. Trees are plain values (maps keep document order); not synchronised.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/core/status.h"

namespace tocsin {

struct YamlMark {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

class YamlNode {
 public:
  enum class Kind { kNull, kScalar, kSequence, kMap };

  Kind kind() const { return kind_; }
  bool IsNull() const { return kind_ == Kind::kNull; }
  bool IsScalar() const { return kind_ == Kind::kScalar; }
  bool IsSequence() const { return kind_ == Kind::kSequence; }
  bool IsMap() const { return kind_ == Kind::kMap; }
  const YamlMark& mark() const { return mark_; }

  // Scalars: the text as written (after YAML unquoting); `quoted` is true for '...' and "...".
  // Block scalars (| and >) and `!!str` count as quoted too: like quoted text, YAML never
  // resolves them to null, booleans or numbers. Plain `~`, `null` and an empty value are kNull.
  const std::string& scalar() const { return scalar_; }
  bool quoted() const { return quoted_; }

  const std::vector<YamlNode>& items() const { return items_; }  // sequence
  // Map entries in document order; the key node carries the key's own mark.
  const std::vector<std::pair<YamlNode, YamlNode>>& entries() const { return entries_; }
  // First entry with this scalar key, or nullptr.
  const YamlNode* Find(std::string_view key) const;

  // Builders used by the parser (and by tests).
  static YamlNode Null(YamlMark m);
  static YamlNode Scalar(std::string value, bool quoted, YamlMark m);
  static YamlNode Sequence(std::vector<YamlNode> items, YamlMark m);
  static YamlNode Map(std::vector<std::pair<YamlNode, YamlNode>> entries, YamlMark m);

 private:
  Kind kind_ = Kind::kNull;
  YamlMark mark_;
  std::string scalar_;
  bool quoted_ = false;
  std::vector<YamlNode> items_;
  std::vector<std::pair<YamlNode, YamlNode>> entries_;
};

// Key paths as errors print them: "web.listen_address", "rule_files[0]"; a key that is not
// [A-Za-z0-9_-]+ is bracketed and quoted ("external_labels[\"a.b\"]") to stay unambiguous.
std::string JoinKeyPath(std::string_view parent, std::string_view key);
std::string JoinIndexPath(std::string_view parent, size_t index);

// Parses the first document of `text`. A syntax error comes back as
// "<source>:<line>:<col>: <yaml-cpp's message>". Merge keys (`<<: *base`) are applied as Go's
// yaml does: keys set in the map itself win. Aliases are resolved (copied; a document whose
// aliases expand to more than 100000 + text.size() nodes is rejected as an alias bomb). Duplicate
// keys in one map are an error naming the key: "<source>:<line>:<col>: a.b: duplicate key "b"
// (first defined at line L, column C)", one line per duplicate. An empty document is a Null node.
// Further documents in the stream are ignored (`had_more_documents` tells the caller, for a
// warning).
Result<YamlNode> ParseYaml(std::string_view text, std::string_view source,
                           bool* had_more_documents = nullptr);

}  // namespace tocsin
