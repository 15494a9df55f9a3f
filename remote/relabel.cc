#include "remote/relabel.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "remote/md5.h"

namespace tocsin::remote {

Result<Relabeler> Relabeler::Compile(const std::vector<RelabelConfig>& configs) {
  Relabeler r;
  for (const RelabelConfig& c : configs) {
    Result<Regex> re = Regex::Compile(c.regex);
    if (!re.ok()) return re.status();
    r.steps_.push_back({c, *re});
  }
  return r;
}

std::optional<Labels> Relabeler::Apply(const Labels& labels) const {
  if (steps_.empty()) return labels;
  LabelsBuilder b(labels);
  std::vector<std::string> groups;
  for (const Step& step : steps_) {
    const RelabelConfig& c = step.config;
    std::string value;
    for (size_t i = 0; i < c.source_labels.size(); ++i) {
      if (i > 0) value += c.separator;
      value += b.Get(c.source_labels[i]);
    }
    const std::string& a = c.action;
    if (a == "drop") {
      if (step.regex.Matches(value)) return std::nullopt;
    } else if (a == "keep") {
      if (!step.regex.Matches(value)) return std::nullopt;
    } else if (a == "dropequal") {
      if (value == b.Get(c.target_label)) return std::nullopt;
    } else if (a == "keepequal") {
      if (value != b.Get(c.target_label)) return std::nullopt;
    } else if (a == "replace") {
      std::string target, replaced;
      if (!step.regex.ExpandFullMatch(value, c.target_label, target)) continue;
      step.regex.ExpandFullMatch(value, c.replacement, replaced);
      if (!IsValidLabelName(target)) continue;
      b.Set(target, replaced);  // an empty value deletes, as in Prometheus
    } else if (a == "lowercase" || a == "uppercase") {
      bool lower = a == "lowercase";
      for (char& ch : value) {
        auto u = static_cast<unsigned char>(ch);
        ch = static_cast<char>(lower ? std::tolower(u) : std::toupper(u));
      }
      b.Set(c.target_label, value);
    } else if (a == "hashmod") {
      // Prometheus: the low 8 bytes of md5(value), big-endian, modulo `modulus`.
      std::array<uint8_t, 16> sum = Md5(value);
      uint64_t h = 0;
      for (int i = 8; i < 16; ++i) h = (h << 8) | sum[i];
      b.Set(c.target_label, std::to_string(h % c.modulus));
    } else if (a == "labelmap") {
      Labels current = b.Build();
      for (const Label& l : current) {
        std::string name;
        if (step.regex.ExpandFullMatch(l.name, c.replacement, name) && IsValidLabelName(name)) {
          b.Set(name, l.value);
        }
      }
    } else if (a == "labeldrop" || a == "labelkeep") {
      bool drop = a == "labeldrop";
      Labels current = b.Build();
      for (const Label& l : current) {
        if (step.regex.Matches(l.name) == drop) b.Del(l.name);
      }
    }
  }
  Labels out = b.Build();
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace tocsin::remote
