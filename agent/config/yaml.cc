// The yaml-cpp adapter: drives yaml-cpp's event parser and builds our positioned YamlNode tree.
//
// We use the event API (not YAML::Load) because it gives the exact mark of every scalar and
// collection start, the raw tag (which tells plain from quoted scalars), and lets us see
// duplicate keys, which YAML::Load silently keeps.
#include "agent/config/yaml.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <cctype>
#include <exception>
#include <optional>
#include <sstream>
#include <unordered_map>

namespace tocsin {
namespace {

// Aliases are copied into the tree. Without a bound, "billion laughs" documents (nested aliases
// that expand exponentially) would exhaust memory; nodes without aliases are already bounded by
// the text's length, so the alias copies get a budget proportional to it.
constexpr size_t kMinAliasBudget = 100'000;

// yaml-cpp's tag for non-plain scalars ('...', "...", | and >) and the explicit `!!str` tag.
constexpr std::string_view kNonPlainTag = "!";
constexpr std::string_view kStrTag = "tag:yaml.org,2002:str";
constexpr std::string_view kNullTag = "tag:yaml.org,2002:null";

YamlMark ToMark(const YAML::Mark& m) {
  if (m.is_null()) return YamlMark{};
  return YamlMark{m.line + 1, m.column + 1};
}

// YAML 1.2 core schema null spellings (the empty spelling is reported by yaml-cpp as OnNull).
bool IsNullSpelling(std::string_view s) {
  return s == "~" || s == "null" || s == "Null" || s == "NULL";
}

size_t CountNodes(const YamlNode& n) {
  size_t count = 1;
  for (const YamlNode& item : n.items()) count += CountNodes(item);
  for (const auto& [k, v] : n.entries()) count += CountNodes(k) + CountNodes(v);
  return count;
}

std::string FormatPosition(std::string_view source, YamlMark m) {
  std::string out(source);
  out += ':' + std::to_string(m.line) + ':' + std::to_string(m.column);
  return out;
}

// Thrown inside the handler to abort parsing; caught in ParseYaml, never leaves this file.
struct AbortParse {
  YamlMark mark;
  std::string message;
};

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(std::string_view text, std::string_view source)
      : text_(text), source_(source), alias_budget_(kMinAliasBudget + text.size()) {}

  std::optional<YamlNode>& root() { return root_; }
  const std::vector<std::string>& errors() const { return errors_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    // For an empty value (`key:` or a bare `-`) yaml-cpp's mark is the next token, often on a
    // later line. Point at the key of the enclosing map, or at the item's `-`, instead.
    YamlMark m = ToMark(mark);
    if (!IsExplicitNullAt(mark) && !stack_.empty()) {
      const Frame& parent = stack_.back();
      if (parent.node.IsMap() && parent.pending_key.has_value()) {
        m = parent.pending_key->mark();
      } else if (parent.node.IsSequence()) {
        m = PrecedingIndicator(mark).value_or(m);
      }
    }
    Complete(YamlNode::Null(m), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      // yaml-cpp rejects unknown anchors itself, so this is an alias inside its own anchor.
      throw AbortParse{ToMark(mark), "recursive alias: an anchor cannot refer to itself"};
    }
    if (it->second.size > alias_budget_) {
      throw AbortParse{ToMark(mark), "aliases expand to too many nodes (more than " +
                                         std::to_string(kMinAliasBudget + text_.size()) + ")"};
    }
    alias_budget_ -= it->second.size;
    Complete(it->second.node, 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (tag == kNullTag || (tag == "?" && IsNullSpelling(value))) {
      Complete(YamlNode::Null(ToMark(mark)), anchor);
      return;
    }
    bool quoted = tag == kNonPlainTag || tag == kStrTag;
    Complete(YamlNode::Scalar(value, quoted, ToMark(mark)), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Push(YamlNode::Sequence({}, ToMark(mark)), anchor);
  }
  void OnSequenceEnd() override { FinishCollection(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Push(YamlNode::Map({}, ToMark(mark)), anchor);
  }
  void OnMapEnd() override { FinishCollection(); }

 private:
  struct Frame {
    YamlNode node;  // kind and mark only; children collect below
    YAML::anchor_t anchor = 0;
    std::string path;                     // dotted key path, for duplicate-key errors
    std::optional<YamlNode> pending_key;  // maps: the key whose value comes next
    std::vector<YamlNode> items;
    std::vector<std::pair<YamlNode, YamlNode>> entries;
    std::unordered_map<std::string, YamlMark> seen_keys;
  };
  struct Anchored {
    YamlNode node;
    size_t size;
  };

  // The position of the `-` or `,` that opened an empty sequence item ending before `mark`,
  // skipping blank lines and comments; nullopt when the text does not look like that.
  std::optional<YamlMark> PrecedingIndicator(const YAML::Mark& mark) const {
    if (mark.is_null() || mark.pos <= 0 || static_cast<size_t>(mark.pos) > text_.size()) {
      return std::nullopt;
    }
    size_t end = static_cast<size_t>(mark.pos);  // exclusive end of the part of the line to scan
    for (int line = mark.line; line >= 0; --line) {
      size_t line_start = end == 0 ? std::string_view::npos : text_.rfind('\n', end - 1);
      line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
      std::string_view content = text_.substr(line_start, end - line_start);
      for (size_t hash = content.find('#'); hash != std::string_view::npos;
           hash = content.find('#', hash + 1)) {
        if (hash == 0 || content[hash - 1] == ' ' || content[hash - 1] == '\t') {
          content = content.substr(0, hash);
          break;
        }
      }
      size_t last = content.find_last_not_of(" \t\r");
      if (last != std::string_view::npos) {
        if (content[last] != '-' && content[last] != ',') return std::nullopt;
        return YamlMark{line + 1, static_cast<int>(last) + 1};
      }
      if (line_start == 0) break;
      end = line_start - 1;  // the previous line, without its newline
    }
    return std::nullopt;
  }

  bool IsExplicitNullAt(const YAML::Mark& mark) const {
    if (mark.is_null() || mark.pos < 0 || static_cast<size_t>(mark.pos) >= text_.size()) {
      return false;
    }
    std::string_view rest = text_.substr(static_cast<size_t>(mark.pos));
    return rest.starts_with("~") || rest.starts_with("null") || rest.starts_with("Null") ||
           rest.starts_with("NULL") || rest.starts_with("!!null");
  }

  // The path of the node that is about to complete inside the innermost open collection.
  std::string ChildPath() const {
    if (stack_.empty()) return "";
    const Frame& parent = stack_.back();
    if (parent.node.IsSequence()) return JoinIndexPath(parent.path, parent.items.size());
    if (parent.pending_key.has_value() && parent.pending_key->IsScalar()) {
      return JoinKeyPath(parent.path, parent.pending_key->scalar());
    }
    return parent.path;
  }

  void Push(YamlNode node, YAML::anchor_t anchor) {
    Frame frame;
    frame.path = ChildPath();
    frame.node = std::move(node);
    frame.anchor = anchor;
    stack_.push_back(std::move(frame));
  }

  void FinishCollection() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    YamlNode node =
        frame.node.IsMap()
            ? YamlNode::Map(ApplyMergeKeys(std::move(frame.entries), frame.path), frame.node.mark())
            : YamlNode::Sequence(std::move(frame.items), frame.node.mark());
    Complete(std::move(node), frame.anchor);
  }

  // YAML merge keys (`<<: *defaults`, or `<<: [*a, *b]`), as Go's yaml (and so Prometheus and
  // Alertmanager configs) understand them: the merged maps' entries are added unless the map
  // sets the key itself; among several merged maps the first one wins.
  std::vector<std::pair<YamlNode, YamlNode>> ApplyMergeKeys(
      std::vector<std::pair<YamlNode, YamlNode>> entries, const std::string& path) {
    auto is_merge_key = [](const YamlNode& k) {
      return k.IsScalar() && !k.quoted() && k.scalar() == "<<";
    };
    bool has_merge = false;
    for (const auto& [k, v] : entries) has_merge = has_merge || is_merge_key(k);
    if (!has_merge) return entries;

    std::vector<std::pair<YamlNode, YamlNode>> merged;
    std::vector<const YamlNode*> sources;
    for (auto& entry : entries) {
      if (!is_merge_key(entry.first)) {
        merged.push_back(std::move(entry));
        continue;
      }
      const YamlNode& value = entry.second;
      if (value.IsMap()) {
        sources.push_back(&value);
      } else if (value.IsSequence()) {
        for (const YamlNode& item : value.items()) {
          if (item.IsMap()) {
            sources.push_back(&item);
          } else {
            errors_.push_back(FormatPosition(source_, item.mark()) + ": " +
                              JoinKeyPath(path, "<<") + ": a merge key takes maps only");
          }
        }
      } else {
        errors_.push_back(FormatPosition(source_, value.mark()) + ": " + JoinKeyPath(path, "<<") +
                          ": a merge key takes a map or a list of maps");
      }
    }
    for (const YamlNode* source : sources) {
      for (const auto& [k, v] : source->entries()) {
        bool present = false;
        for (const auto& [mk, mv] : merged) {
          present = present || (k.IsScalar() && mk.IsScalar() && mk.scalar() == k.scalar());
        }
        if (!present) merged.emplace_back(k, v);
      }
    }
    return merged;
  }

  // Records an anchor (if any) and attaches a finished node to its parent.
  void Complete(YamlNode node, YAML::anchor_t anchor) {
    if (anchor != 0) anchors_[anchor] = Anchored{node, CountNodes(node)};
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& parent = stack_.back();
    if (parent.node.IsSequence()) {
      parent.items.push_back(std::move(node));
      return;
    }
    if (!parent.pending_key.has_value()) {
      parent.pending_key = std::move(node);
      return;
    }
    YamlNode key = std::move(*parent.pending_key);
    parent.pending_key.reset();
    if (key.IsScalar()) {
      auto [it, inserted] = parent.seen_keys.emplace(key.scalar(), key.mark());
      if (!inserted) {
        errors_.push_back(FormatPosition(source_, key.mark()) + ": " +
                          JoinKeyPath(parent.path, key.scalar()) + ": duplicate key \"" +
                          key.scalar() + "\" (first defined at line " +
                          std::to_string(it->second.line) + ", column " +
                          std::to_string(it->second.column) + ")");
      }
    }
    parent.entries.emplace_back(std::move(key), std::move(node));
  }

  std::string_view text_;
  std::string_view source_;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Anchored> anchors_;
  std::optional<YamlNode> root_;
  std::vector<std::string> errors_;
  size_t alias_budget_;  // nodes that alias copies may still add
};

// Swallows the events of documents after the first; we only need to know they exist.
class DiscardingHandler : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

const YamlNode* YamlNode::Find(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k.IsScalar() && k.scalar() == key) return &v;
  }
  return nullptr;
}

YamlNode YamlNode::Null(YamlMark m) {
  YamlNode n;
  n.kind_ = Kind::kNull;
  n.mark_ = m;
  return n;
}

YamlNode YamlNode::Scalar(std::string value, bool quoted, YamlMark m) {
  YamlNode n;
  n.kind_ = Kind::kScalar;
  n.mark_ = m;
  n.scalar_ = std::move(value);
  n.quoted_ = quoted;
  return n;
}

YamlNode YamlNode::Sequence(std::vector<YamlNode> items, YamlMark m) {
  YamlNode n;
  n.kind_ = Kind::kSequence;
  n.mark_ = m;
  n.items_ = std::move(items);
  return n;
}

YamlNode YamlNode::Map(std::vector<std::pair<YamlNode, YamlNode>> entries, YamlMark m) {
  YamlNode n;
  n.kind_ = Kind::kMap;
  n.mark_ = m;
  n.entries_ = std::move(entries);
  return n;
}

std::string JoinKeyPath(std::string_view parent, std::string_view key) {
  bool plain = !key.empty();
  for (char c : key) {
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  }
  std::string out(parent);
  if (plain) {
    if (!out.empty()) out += '.';
    out += key;
  } else {
    // Keys such as label names with dots or spaces stay unambiguous: a["b.c"].
    out += "[\"";
    out += key;
    out += "\"]";
  }
  return out;
}

std::string JoinIndexPath(std::string_view parent, size_t index) {
  std::string out(parent);
  out += '[' + std::to_string(index) + ']';
  return out;
}

Result<YamlNode> ParseYaml(std::string_view text, std::string_view source,
                           bool* had_more_documents) {
  if (had_more_documents != nullptr) *had_more_documents = false;
  // yaml-cpp reads from a stream; the copy is the price of its API.
  std::istringstream in{std::string(text)};
  // yaml-cpp skips a UTF-8 byte order mark and counts positions after it.
  std::string_view after_bom = text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text;
  TreeBuilder builder(after_bom, source);
  try {
    YAML::Parser parser(in);
    parser.HandleNextDocument(builder);
    if (had_more_documents != nullptr) {
      DiscardingHandler discard;
      try {
        *had_more_documents = parser.HandleNextDocument(discard);
      } catch (const YAML::Exception&) {
        *had_more_documents = true;  // something follows, broken or not; we ignore it anyway
      }
    }
  } catch (const YAML::Exception& e) {
    YamlMark m = ToMark(e.mark);
    if (e.mark.is_null()) m = YamlMark{1, 1};
    return InvalidArgument(FormatPosition(source, m) + ": " + e.msg);
  } catch (const AbortParse& abort) {
    return InvalidArgument(FormatPosition(source, abort.mark) + ": " + abort.message);
  } catch (const std::exception& e) {
    // yaml-cpp can also throw std:: exceptions (e.g. bad_alloc); they must not escape either.
    return InvalidArgument(std::string(source) + ":1:1: cannot parse YAML: " + e.what());
  }
  if (!builder.errors().empty()) {
    std::string joined;
    for (const std::string& e : builder.errors()) {
      if (!joined.empty()) joined += '\n';
      joined += e;
    }
    return InvalidArgument(std::move(joined));
  }
  if (!builder.root().has_value()) return YamlNode::Null(YamlMark{1, 1});
  return std::move(*builder.root());
}

}  // namespace tocsin
