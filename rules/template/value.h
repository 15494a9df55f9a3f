// Value: a dynamically typed value of the template executor, standing in for the Go values that
// text/template passes around when Prometheus expands an alert template (string, float64, int,
// bool, map[string]string, query results []*sample and *sample, nil).
//
// Plain value type (shared, immutable payloads); copy freely; thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agent/core/labels.h"

namespace tocsin::rules::tmpl {

// One element of a `query` result: Prometheus's template.sample {Labels, Value}.
struct TemplateSample {
  Labels labels;
  double value = 0;
};

struct Value {
  enum class Kind { kNil, kString, kFloat, kInt, kBool, kLabels, kVector, kSample };
  Kind kind = Kind::kNil;
  std::string s;
  double f = 0;
  int64_t i = 0;
  bool b = false;
  std::shared_ptr<const Labels> labels;                    // kLabels
  std::shared_ptr<const std::vector<TemplateSample>> vec;  // kVector
  std::shared_ptr<const TemplateSample> sample;            // kSample

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
  static Value Sample(TemplateSample s) {
    Value x;
    x.kind = Kind::kSample;
    x.sample = std::make_shared<const TemplateSample>(std::move(s));
    return x;
  }

  bool is_number() const { return kind == Kind::kFloat || kind == Kind::kInt; }
  // Go's type name, for fmt's "%!d(float64=1.5)" and error messages.
  const char* GoType() const;
  // text/template's truth: non-zero, non-empty; nil is false; a sample is true.
  bool Truth() const;
  // How text/template prints the value ({{ . }}): fmt's %v.
  std::string Print() const;
};

}  // namespace tocsin::rules::tmpl
