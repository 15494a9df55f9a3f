// RecordingAppender: a test fake of tocsin::Appender that records every call and renders what
// it holds as deterministic Prometheus text exposition (format 0.0.4) for golden files.
//
// Families are sorted by name and series by label set; values are printed as Go's
// strconv.FormatFloat(v, 'g', -1, 64) does (what node_exporter and Prometheus print). A
// counter family registered as "x" (Appender::SetMetadata's convention: no _total suffix)
// renders its "x_total" samples under "# HELP x_total"/"# TYPE x_total counter". Header-only;
// not thread-safe; owns copies of everything it records.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "agent/core/labels.h"
#include "agent/store/appender.h"
#include "agent/store/metadata.h"

namespace tocsin::testing {

// Go's strconv.FormatFloat(v, 'g', -1, 64): shortest round-trip digits, exponent form when the
// decimal exponent is < -4 or >= 6 (Go's rule for shortest 'g'); "+Inf", "-Inf", "NaN".
inline std::string FormatPromValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // e.g. "-1.2345e+09"
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  int exp = std::atoi(sci.c_str() + e + 1);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += exp < 0 ? '-' : '+';
    int a = exp < 0 ? -exp : exp;
    if (a < 10) out += '0';
    out += std::to_string(a);
    return out;
  }
  if (exp < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exp - 1), '0');
    out += digits;
    return out;
  }
  size_t int_len = static_cast<size_t>(exp) + 1;
  if (digits.size() <= int_len) {
    out += digits;
    out.append(int_len - digits.size(), '0');
  } else {
    out += digits.substr(0, int_len);
    out += '.';
    out += digits.substr(int_len);
  }
  return out;
}

class RecordingAppender final : public Appender {
 public:
  struct Sample {
    Labels labels;
    std::optional<TimestampMs> timestamp;
    double value = 0;
  };

  Status Add(const Labels& labels, double value) override {
    samples_.push_back(Sample{labels, std::nullopt, value});
    return Status::Ok();
  }
  Status AddAt(const Labels& labels, TimestampMs t, double value) override {
    samples_.push_back(Sample{labels, t, value});
    return Status::Ok();
  }
  void SetMetadata(std::string_view family, const Metadata& metadata) override {
    metadata_[std::string(family)] = metadata;
  }
  Result<CommitStats> Commit() override {
    committed_ = true;
    CommitStats s;
    s.appended = samples_.size();
    return s;
  }
  void Rollback() override {
    rolled_back_ = true;
    samples_.clear();
  }

  const std::vector<Sample>& samples() const { return samples_; }
  const std::map<std::string, Metadata, std::less<>>& metadata() const { return metadata_; }
  bool committed() const { return committed_; }
  bool rolled_back() const { return rolled_back_; }
  void Clear() {
    samples_.clear();
    metadata_.clear();
    committed_ = rolled_back_ = false;
  }

  // The metadata family a sample name belongs to ("" when none was registered).
  std::string FamilyOf(std::string_view name) const {
    if (metadata_.count(name) != 0) return std::string(name);
    if (name.ends_with("_total")) {
      std::string_view base = name.substr(0, name.size() - 6);
      auto it = metadata_.find(base);
      if (it != metadata_.end() && it->second.type == MetricType::kCounter)
        return std::string(base);
    }
    return "";
  }

  // Sample names without registered metadata, and label sets recorded more than once.
  std::vector<std::string> NamesWithoutMetadata() const {
    std::set<std::string> out;
    for (const Sample& s : samples_) {
      if (FamilyOf(s.labels.MetricName()).empty()) out.insert(std::string(s.labels.MetricName()));
    }
    return {out.begin(), out.end()};
  }
  std::vector<std::string> DuplicateSeries() const {
    std::set<Labels> seen;
    std::vector<std::string> dups;
    for (const Sample& s : samples_) {
      if (!seen.insert(s.labels).second) dups.push_back(s.labels.ToMetricString());
    }
    return dups;
  }

  // The value of the (last) sample with exactly these labels (including __name__).
  std::optional<double> Value(const Labels& labels) const {
    std::optional<double> v;
    for (const Sample& s : samples_) {
      if (s.labels == labels) v = s.value;
    }
    return v;
  }
  // All samples of one metric name.
  std::vector<Sample> Series(std::string_view name) const {
    std::vector<Sample> out;
    for (const Sample& s : samples_) {
      if (s.labels.MetricName() == name) out.push_back(s);
    }
    return out;
  }

  // Text exposition 0.0.4, sorted; samples without metadata render as untyped families.
  std::string Render() const {
    // exposition name -> (series line key -> line)
    std::map<std::string, std::map<Labels, std::string>> families;
    for (const Sample& s : samples_) {
      std::string name(s.labels.MetricName());
      std::string line = s.labels.ToMetricString();
      // Labels::ToMetricString separates with ", "; the exposition uses ",".
      std::string compact;
      compact.reserve(line.size());
      bool in_quotes = false;
      for (size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (c == '"' && (i == 0 || line[i - 1] != '\\')) in_quotes = !in_quotes;
        if (!in_quotes && c == ' ' && i > 0 && line[i - 1] == ',') continue;
        compact += c;
      }
      compact += ' ';
      compact += FormatPromValue(s.value);
      if (s.timestamp) {
        compact += ' ';
        compact += std::to_string(*s.timestamp);
      }
      families[name][s.labels] = compact;  // 0.0.4 names families by sample name
    }
    std::string out;
    for (const auto& [name, series] : families) {
      std::string family = FamilyOf(name);
      if (!family.empty()) {
        const Metadata& md = metadata_.find(family)->second;
        out += "# HELP " + name + " ";
        for (char c : md.help) {
          if (c == '\\') {
            out += "\\\\";
          } else if (c == '\n') {
            out += "\\n";
          } else {
            out += c;
          }
        }
        out += "\n# TYPE " + name + " " + std::string(MetricTypeName(md.type)) + "\n";
      }
      for (const auto& [labels, line] : series) {
        out += line;
        out += '\n';
      }
    }
    return out;
  }

 private:
  std::vector<Sample> samples_;
  std::map<std::string, Metadata, std::less<>> metadata_;
  bool committed_ = false;
  bool rolled_back_ = false;
};

}  // namespace tocsin::testing
