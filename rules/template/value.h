// Value: a dynamically typed value of the template executor, standing in for the Go values that
// text/template passes around when Prometheus expands an alert template (string, float64, int,
// bool, map[string]string, query results []*sample and *sample, nil) and when Alertmanager
// expands a notification template (its template.Data: structs, slices such as template.Alerts
// and []string, template.KV maps with methods, time.Time).
//
// Plain value type (shared, immutable payloads); copy freely; thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/core/labels.h"

namespace tocsin::rules::tmpl {

// One element of a `query` result: Prometheus's template.sample {Labels, Value}.
struct TemplateSample {
  Labels labels;
  double value = 0;
};

struct StructValue;

struct Value {
  enum class Kind {
    kNil,
    kString,
    kFloat,
    kInt,
    kBool,
    kLabels,
    kVector,
    kSample,
    kList,    // a Go slice; type_name says which (methods.h gives some of them methods)
    kStruct,  // a Go struct: named fields in declaration order
    kTime,    // a time.Time in UTC; i = milliseconds since the Unix epoch
  };
  Kind kind = Kind::kNil;
  std::string s;
  double f = 0;
  int64_t i = 0;
  bool b = false;
  std::shared_ptr<const Labels> labels;                    // kLabels
  std::shared_ptr<const std::vector<TemplateSample>> vec;  // kVector
  std::shared_ptr<const TemplateSample> sample;            // kSample
  std::shared_ptr<const std::vector<Value>> list;          // kList
  std::shared_ptr<const StructValue> fields;               // kStruct
  // Go's type name where the kind alone does not say it: kList ("[]string", "template.Alerts"),
  // kStruct, and kLabels when it is Alertmanager's template.KV (null: map[string]string).
  // Static storage.
  const char* type_name = nullptr;

  static Value Str(std::string v) {
    Value x;
    x.kind = Kind::kString;
    x.s = std::move(v);
    return x;
  }
  static Value Float(double v) {
    Value x;
    x.kind = Kind::kFloat;
    x.f = v;
    return x;
  }
  static Value Int(int64_t v) {
    Value x;
    x.kind = Kind::kInt;
    x.i = v;
    return x;
  }
  static Value Bool(bool v) {
    Value x;
    x.kind = Kind::kBool;
    x.b = v;
    return x;
  }
  // Borrows `l` (may be null: an empty map); the caller keeps it alive during rendering.
  static Value BorrowedMap(const Labels* l) {
    static const Labels kEmpty;
    Value x;
    x.kind = Kind::kLabels;
    x.labels = std::shared_ptr<const Labels>(std::shared_ptr<void>(), l ? l : &kEmpty);
    return x;
  }
  static Value OwnedMap(Labels l) {
    Value x;
    x.kind = Kind::kLabels;
    x.labels = std::make_shared<const Labels>(std::move(l));
    return x;
  }
  static Value Vector(std::vector<TemplateSample> v) {
    Value x;
    x.kind = Kind::kVector;
    x.vec = std::make_shared<const std::vector<TemplateSample>>(std::move(v));
    return x;
  }
  // Alertmanager's template.KV: a map[string]string with SortedPairs/Names/Values/Remove.
  static Value KV(Labels l) {
    Value x = OwnedMap(std::move(l));
    x.type_name = kKVType;
    return x;
  }
  static Value List(const char* type, std::vector<Value> items) {
    Value x;
    x.kind = Kind::kList;
    x.type_name = type;
    x.list = std::make_shared<const std::vector<Value>>(std::move(items));
    return x;
  }
  static Value Struct(const char* type, std::vector<std::pair<std::string, Value>> members);
  static Value Time(int64_t unix_ms) {
    Value x;
    x.kind = Kind::kTime;
    x.i = unix_ms;
    return x;
  }
  static Value StringList(const std::vector<std::string>& items) {
    std::vector<Value> v;
    v.reserve(items.size());
    for (const auto& s : items) v.push_back(Str(s));
    return List(kStringSliceType, std::move(v));
  }
  static constexpr const char* kKVType = "template.KV";
  static constexpr const char* kStringSliceType = "[]string";
  // html/template.HTML (safeHtml's result): a string html escaping leaves alone.
  static constexpr const char* kHtmlType = "template.HTML";

  static Value Sample(TemplateSample s) {
    Value x;
    x.kind = Kind::kSample;
    x.sample = std::make_shared<const TemplateSample>(std::move(s));
    return x;
  }

  bool is_number() const { return kind == Kind::kFloat || kind == Kind::kInt; }
  // Type names are compared as text: the same literal may have several addresses.
  bool HasType(std::string_view type) const {
    return type_name != nullptr && std::string_view(type_name) == type;
  }
  bool is_kv() const { return kind == Kind::kLabels && HasType(kKVType); }
  // The struct member `name`, or null.
  const Value* Member(std::string_view name) const;
  // Go's type name, for fmt's "%!d(float64=1.5)" and error messages.
  const char* GoType() const;
  // text/template's truth: non-zero, non-empty; nil is false; a sample is true.
  bool Truth() const;
  // How text/template prints the value ({{ . }}): fmt's %v.
  std::string Print() const;
};

struct StructValue {
  std::vector<std::pair<std::string, Value>> members;
};

inline Value Value::Struct(const char* type, std::vector<std::pair<std::string, Value>> members) {
  Value x;
  x.kind = Kind::kStruct;
  x.type_name = type;
  x.fields = std::make_shared<const StructValue>(StructValue{std::move(members)});
  return x;
}

inline const Value* Value::Member(std::string_view name) const {
  if (kind != Kind::kStruct) return nullptr;
  for (const auto& [n, v] : fields->members) {
    if (n == name) return &v;
  }
  return nullptr;
}

}  // namespace tocsin::rules::tmpl
