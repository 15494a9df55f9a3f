#include "agent/config/map_reader.h"

#include <filesystem>
#include <limits>

#include "agent/config/secret_file.h"
#include "agent/core/duration.h"
#include "agent/core/host_port.h"
#include "agent/core/labels.h"
#include "agent/core/regex.h"

namespace tocsin {
namespace {

// Long values are cut so one bad line in a config never floods the terminal.
constexpr size_t kMaxQuotedValue = 80;

std::string QuoteValue(const std::string& s) {
  if (s.size() <= kMaxQuotedValue) return "\"" + s + "\"";
  return "\"" + s.substr(0, kMaxQuotedValue) + "...\"";
}

// "a list", "a map", "\"5x\"", "the string \"true\"": what was found, for type errors.
std::string Describe(const YamlNode& n) {
  switch (n.kind()) {
    case YamlNode::Kind::kNull:
      return "nothing";
    case YamlNode::Kind::kSequence:
      return "a list";
    case YamlNode::Kind::kMap:
      return "a map";
    case YamlNode::Kind::kScalar:
      return n.quoted() ? "the string " + QuoteValue(n.scalar()) : QuoteValue(n.scalar());
  }
  return "an unknown node";
}

}  // namespace

Status MustBePositive(const std::chrono::milliseconds& d) {
  if (d.count() > 0) return Status::Ok();
  return InvalidArgument("must be greater than 0");
}

Status MustBeAtLeastOne(const size_t& n) {
  if (n >= 1) return Status::Ok();
  return InvalidArgument("must be at least 1");
}

Status MustBeListenAddress(const std::string& address) { return ParseHostPort(address).status(); }

Status MustBeLabelName(const std::string& name) {
  if (IsValidLabelName(name)) return Status::Ok();
  return InvalidArgument("invalid label name " + QuoteValue(name) +
                         " (must match [a-zA-Z_][a-zA-Z0-9_]*)");
}

Status MustBeHttpUrl(const std::string& url) {
  if (url.starts_with("http://") || url.starts_with("https://")) return Status::Ok();
  return InvalidArgument("must be an http:// or https:// URL");
}

Status MustBeTarget(const std::string& target) {
  Result<HostPort> hp = ParseHostPort(target);
  if (!hp.ok()) return hp.status();
  if (hp->host.empty() || hp->port == 0) {
    return InvalidArgument("target \"" + target + "\" must be host:port with a host and a port");
  }
  return Status::Ok();
}

MapReader::MapReader(const YamlNode& node, std::string path, LoadContext& context)
    : node_(node),
      path_(std::move(path)),
      context_(context),
      consumed_(node.IsMap() ? node.entries().size() : 0, false) {
  if (!node.IsMap() && !node.IsNull()) {
    context_.errors.Add(node.mark(), path_, "expected a map, got " + Describe(node));
  }
}

const YamlNode* MapReader::Take(std::string_view key) {
  const auto& entries = node_.entries();
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].first.IsScalar() && entries[i].first.scalar() == key) {
      consumed_[i] = true;
      return &entries[i].second;
    }
  }
  return nullptr;
}

void MapReader::ErrorAt(const YamlNode& at, std::string_view key, std::string_view message) {
  context_.errors.Add(at.mark(), key.empty() ? path_ : JoinKeyPath(path_, key), message);
}

void MapReader::ErrorAtKey(std::string_view key, std::string_view message) {
  const YamlNode* value = node_.IsMap() ? node_.Find(key) : nullptr;
  ErrorAt(value != nullptr ? *value : node_, key, message);
}

const YamlNode* MapReader::TakeScalar(std::string_view key, std::string_view expected) {
  const YamlNode* value = Take(key);
  if (value == nullptr) return nullptr;
  if (value->IsNull()) {
    ErrorAt(*value, key, "missing value (expected " + std::string(expected) + ")");
    return nullptr;
  }
  if (!value->IsScalar()) {
    ErrorAt(*value, key, "expected " + std::string(expected) + ", got " + Describe(*value));
    return nullptr;
  }
  return value;
}

bool MapReader::Duration(std::string_view key, std::chrono::milliseconds* out,
                         const ValueCheck<std::chrono::milliseconds>& check) {
  const YamlNode* value = TakeScalar(key, "a duration such as 15s or 1h30m");
  if (value == nullptr) return false;
  Result<std::chrono::milliseconds> d = ParseDuration(value->scalar());
  if (!d.ok()) {
    ErrorAt(*value, key, d.status().message());
    return false;
  }
  if (check) {
    if (Status st = check(*d); !st.ok()) {
      ErrorAt(*value, key, st.message());
      return false;
    }
  }
  *out = *d;
  return true;
}

bool MapReader::String(std::string_view key, std::string* out,
                       const ValueCheck<std::string>& check) {
  const YamlNode* value = TakeScalar(key, "a string");
  if (value == nullptr) return false;
  if (check) {
    if (Status st = check(value->scalar()); !st.ok()) {
      ErrorAt(*value, key, st.message());
      return false;
    }
  }
  *out = value->scalar();
  return true;
}

bool MapReader::Bool(std::string_view key, bool* out) {
  const YamlNode* value = TakeScalar(key, "true or false");
  if (value == nullptr) return false;
  const std::string& s = value->scalar();
  if (!value->quoted()) {
    if (s == "true" || s == "True" || s == "TRUE") {
      *out = true;
      return true;
    }
    if (s == "false" || s == "False" || s == "FALSE") {
      *out = false;
      return true;
    }
  }
  ErrorAt(*value, key, "expected true or false, got " + Describe(*value));
  return false;
}

bool MapReader::UInt(std::string_view key, size_t* out, const ValueCheck<size_t>& check) {
  const YamlNode* value = TakeScalar(key, "a non-negative integer");
  if (value == nullptr) return false;
  const std::string& s = value->scalar();
  size_t n = 0;
  bool valid = !value->quoted() && !s.empty();
  for (char c : s) {
    if (!valid) break;
    if (c == '_') continue;  // YAML 1.1 digit grouping: 1_000_000
    if (c < '0' || c > '9') {
      valid = false;
      break;
    }
    size_t digit = static_cast<size_t>(c - '0');
    if (n > (std::numeric_limits<size_t>::max() - digit) / 10) {
      ErrorAt(*value, key, "integer " + QuoteValue(s) + " is too large");
      return false;
    }
    n = n * 10 + digit;
  }
  if (!valid || s.front() == '_') {
    ErrorAt(*value, key, "expected a non-negative integer, got " + Describe(*value));
    return false;
  }
  if (check) {
    if (Status st = check(n); !st.ok()) {
      ErrorAt(*value, key, st.message());
      return false;
    }
  }
  *out = n;
  return true;
}

std::string MapReader::ResolvePath(const std::string& path) const {
  std::filesystem::path p(path);
  if (p.is_absolute() || context_.base_dir.empty()) return path;
  return (std::filesystem::path(context_.base_dir) / p).lexically_normal().string();
}

bool MapReader::Path(std::string_view key, std::string* out) {
  std::string raw;
  if (!String(key, &raw, [](const std::string& s) {
        return s.empty() ? InvalidArgument("must not be empty") : Status::Ok();
      })) {
    return false;
  }
  *out = ResolvePath(raw);
  return true;
}

bool MapReader::RegexPattern(std::string_view key, std::string* out) {
  return String(key, out, [](const std::string& pattern) {
    // Compiled unanchored: anchoring does not change whether a pattern is valid.
    return tocsin::Regex::Compile(pattern, tocsin::Regex::Anchoring::kNone).status();
  });
}

bool MapReader::SecretFile(std::string_view key, Secret* out) {
  const YamlNode* value = TakeScalar(key, "a file name");
  if (value == nullptr) return false;
  Result<Secret> secret = ReadSecretFile(value->scalar(), context_.base_dir);
  if (!secret.ok()) {
    ErrorAt(*value, key, secret.status().message());
    return false;
  }
  *out = std::move(secret).value();
  return true;
}

bool MapReader::ScalarList(
    std::string_view key, std::vector<std::string>* out,
    const std::function<bool(const YamlNode&, const std::string&, std::string&)>& convert) {
  const YamlNode* value = Take(key);
  if (value == nullptr) return false;
  if (value->IsNull()) {
    out->clear();
    return true;
  }
  std::string list_path = JoinKeyPath(path_, key);
  if (!value->IsSequence()) {
    context_.errors.Add(value->mark(), list_path, "expected a list, got " + Describe(*value));
    return false;
  }
  std::vector<std::string> result;
  bool all_valid = true;
  for (size_t i = 0; i < value->items().size(); ++i) {
    const YamlNode& item = value->items()[i];
    std::string item_path = JoinIndexPath(list_path, i);
    if (!item.IsScalar()) {
      context_.errors.Add(item.mark(), item_path,
                          item.IsNull() ? std::string("missing value (expected a string)")
                                        : "expected a string, got " + Describe(item));
      all_valid = false;
      continue;
    }
    std::string converted;
    if (!convert(item, item_path, converted)) {
      all_valid = false;
      continue;
    }
    result.push_back(std::move(converted));
  }
  if (!all_valid) return false;
  *out = std::move(result);
  return true;
}

bool MapReader::StringList(std::string_view key, std::vector<std::string>* out,
                           const ValueCheck<std::string>& item_check) {
  return ScalarList(key, out,
                    [&](const YamlNode& item, const std::string& item_path, std::string& value) {
                      if (item_check) {
                        if (Status st = item_check(item.scalar()); !st.ok()) {
                          context_.errors.Add(item.mark(), item_path, st.message());
                          return false;
                        }
                      }
                      value = item.scalar();
                      return true;
                    });
}

bool MapReader::PathList(std::string_view key, std::vector<std::string>* out,
                         std::string_view keep_prefix) {
  return ScalarList(
      key, out, [&](const YamlNode& item, const std::string& item_path, std::string& value) {
        if (item.scalar().empty()) {
          context_.errors.Add(item.mark(), item_path, "must not be empty");
          return false;
        }
        const bool keep = !keep_prefix.empty() && item.scalar().starts_with(keep_prefix);
        value = keep ? item.scalar() : ResolvePath(item.scalar());
        return true;
      });
}

bool MapReader::StringMap(std::string_view key, std::map<std::string, std::string>* out,
                          const ValueCheck<std::string>& key_check) {
  const YamlNode* value = Take(key);
  if (value == nullptr) return false;
  std::string map_path = JoinKeyPath(path_, key);
  if (value->IsNull()) {
    out->clear();
    return true;
  }
  if (!value->IsMap()) {
    context_.errors.Add(value->mark(), map_path, "expected a map, got " + Describe(*value));
    return false;
  }
  std::map<std::string, std::string> result;
  bool all_valid = true;
  for (const auto& [k, v] : value->entries()) {
    if (!k.IsScalar()) {
      context_.errors.Add(k.mark(), map_path, "map keys must be strings, got " + Describe(k));
      all_valid = false;
      continue;
    }
    std::string entry_path = JoinKeyPath(map_path, k.scalar());
    if (key_check) {
      if (Status st = key_check(k.scalar()); !st.ok()) {
        context_.errors.Add(k.mark(), entry_path, st.message());
        all_valid = false;
        continue;
      }
    }
    if (!v.IsScalar()) {
      context_.errors.Add(v.mark(), entry_path,
                          v.IsNull() ? std::string("missing value (expected a string)")
                                     : "expected a string, got " + Describe(v));
      all_valid = false;
      continue;
    }
    result[k.scalar()] = v.scalar();
  }
  if (!all_valid) return false;
  *out = std::move(result);
  return true;
}

bool MapReader::Section(std::string_view key, const std::function<void(MapReader&)>& bind) {
  const YamlNode* value = Take(key);
  if (value == nullptr) return false;
  MapReader section(*value, JoinKeyPath(path_, key), context_);
  bind(section);
  section.ReportUnknownKeys();
  return true;
}

bool MapReader::ForEachItem(std::string_view key, const std::function<void(MapReader&)>& bind) {
  const YamlNode* value = Take(key);
  if (value == nullptr) return false;
  if (value->IsNull()) return true;
  std::string list_path = JoinKeyPath(path_, key);
  if (!value->IsSequence()) {
    context_.errors.Add(value->mark(), list_path, "expected a list, got " + Describe(*value));
    return true;
  }
  for (size_t i = 0; i < value->items().size(); ++i) {
    MapReader item(value->items()[i], JoinIndexPath(list_path, i), context_);
    bind(item);
    item.ReportUnknownKeys();
  }
  return true;
}

void MapReader::ReportUnknownKeys() {
  if (reported_) return;
  reported_ = true;
  const auto& entries = node_.entries();
  for (size_t i = 0; i < entries.size(); ++i) {
    const YamlNode& k = entries[i].first;
    if (!k.IsScalar()) {
      context_.errors.Add(k.mark(), path_, "map keys must be strings, got " + Describe(k));
    } else if (!consumed_[i]) {
      context_.errors.Add(k.mark(), JoinKeyPath(path_, k.scalar()), "unknown key");
    }
  }
}

}  // namespace tocsin
