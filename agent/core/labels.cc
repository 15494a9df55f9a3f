#include "agent/core/labels.h"

#include <algorithm>
#include <cassert>

#include "agent/core/fnv.h"

namespace tocsin {
namespace {

void SortAndDedupe(std::vector<Label>& pairs) {
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const Label& a, const Label& b) { return a.name < b.name; });
  // Keep the last occurrence of each name.
  std::vector<Label> out;
  out.reserve(pairs.size());
  for (auto& p : pairs) {
    if (!out.empty() && out.back().name == p.name) {
      out.back() = std::move(p);
    } else {
      out.push_back(std::move(p));
    }
  }
  std::erase_if(out, [](const Label& l) { return l.value.empty(); });
  pairs = std::move(out);
}

auto FindByName(const std::vector<Label>& pairs, std::string_view name) {
  return std::lower_bound(pairs.begin(), pairs.end(), name,
                          [](const Label& l, std::string_view n) { return l.name < n; });
}

}  // namespace

const std::vector<Label>& Labels::EmptyPairs() {
  static const std::vector<Label> empty;
  return empty;
}

Labels::Labels(std::vector<Label> pairs) {
  if (!pairs.empty()) pairs_ = std::make_shared<const std::vector<Label>>(std::move(pairs));
}

Labels::Labels(std::initializer_list<Label> pairs) {
  std::vector<Label> v(pairs);
  SortAndDedupe(v);
  *this = Labels(std::move(v));
}

Labels Labels::FromUnsorted(std::vector<Label> pairs) {
  SortAndDedupe(pairs);
  return Labels(std::move(pairs));
}

Labels Labels::FromSorted(std::vector<Label> pairs) {
#ifndef NDEBUG
  for (size_t i = 1; i < pairs.size(); ++i) assert(pairs[i - 1].name < pairs[i].name);
#endif
  return Labels(std::move(pairs));
}

std::string_view Labels::Get(std::string_view name) const {
  const std::vector<Label>& p = pairs();
  auto it = FindByName(p, name);
  if (it != p.end() && it->name == name) return it->value;
  return {};
}

bool Labels::Has(std::string_view name) const {
  const std::vector<Label>& p = pairs();
  auto it = FindByName(p, name);
  return it != p.end() && it->name == name;
}

uint64_t Labels::Hash() const {
  // prometheus/common model.LabelSet.Fingerprint: name, 0xff, value, 0xff over sorted pairs
  // (0xff cannot appear in valid UTF-8).
  constexpr unsigned char kSeparator = 0xff;
  uint64_t h = kFnv1a64Offset;
  for (const Label& l : pairs()) {
    h = Fnv1a64AddByte(Fnv1a64Add(h, l.name), kSeparator);
    h = Fnv1a64AddByte(Fnv1a64Add(h, l.value), kSeparator);
  }
  return h;
}

void AppendEscapedLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

std::string Labels::ToString() const {
  std::string out = "{";
  bool first = true;
  for (const Label& l : pairs()) {
    if (!first) out += ", ";
    first = false;
    out += l.name;
    out += "=\"";
    AppendEscapedLabelValue(out, l.value);
    out += '"';
  }
  out += '}';
  return out;
}

std::string Labels::ToMetricString() const {
  std::string out(MetricName());
  bool any = false;
  for (const Label& l : pairs()) {
    if (l.name == kMetricNameLabel) continue;
    out += any ? ", " : "{";
    any = true;
    out += l.name;
    out += "=\"";
    AppendEscapedLabelValue(out, l.value);
    out += '"';
  }
  if (any) out += '}';
  if (out.empty()) out = "{}";
  return out;
}

LabelsBuilder::LabelsBuilder(const Labels& base) : pairs_(base.pairs()) {}

LabelsBuilder& LabelsBuilder::Set(std::string_view name, std::string_view value) {
  if (value.empty()) return Del(name);
  auto it = std::lower_bound(pairs_.begin(), pairs_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != pairs_.end() && it->name == name) {
    it->value = std::string(value);
  } else {
    pairs_.insert(it, Label{std::string(name), std::string(value)});
  }
  return *this;
}

LabelsBuilder& LabelsBuilder::Del(std::string_view name) {
  auto it = std::lower_bound(pairs_.begin(), pairs_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != pairs_.end() && it->name == name) pairs_.erase(it);
  return *this;
}

LabelsBuilder& LabelsBuilder::Keep(const std::vector<std::string>& names) {
  std::erase_if(pairs_, [&](const Label& l) {
    return std::find(names.begin(), names.end(), l.name) == names.end();
  });
  return *this;
}

std::string_view LabelsBuilder::Get(std::string_view name) const {
  auto it = std::lower_bound(pairs_.begin(), pairs_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != pairs_.end() && it->name == name) return it->value;
  return {};
}

Labels LabelsBuilder::Build() const { return Labels::FromSorted(pairs_); }

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

}  // namespace tocsin
