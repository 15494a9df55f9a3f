#include "agent/store/exposition.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>

namespace tocsin {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct Family {
  std::string_view name;     // as printed on # HELP / # TYPE
  const Metadata* metadata;  // may be null (untyped, no HELP)
};

// Resolves the family a sample name belongs to.
Family ResolveFamily(std::string_view name, const MetadataMap& md) {
  auto find = [&](std::string_view n) -> const Metadata* {
    auto it = md.find(std::string(n));
    return it == md.end() ? nullptr : &it->second;
  };
  if (const Metadata* m = find(name)) return {name, m};
  struct Suffix {
    std::string_view s;
    bool histogram, summary, counter;
  };
  static constexpr Suffix kSuffixes[] = {{"_bucket", true, false, false},
                                         {"_sum", true, true, false},
                                         {"_count", true, true, false},
                                         {"_total", false, false, true}};
  for (const Suffix& suf : kSuffixes) {
    if (!EndsWith(name, suf.s)) continue;
    std::string_view base = name.substr(0, name.size() - suf.s.size());
    const Metadata* m = find(base);
    if (m == nullptr) continue;
    bool hist = m->type == MetricType::kHistogram || m->type == MetricType::kGaugeHistogram;
    if ((suf.histogram && hist) || (suf.summary && m->type == MetricType::kSummary)) {
      return {base, m};
    }
    if (suf.counter && m->type == MetricType::kCounter) return {name, m};  // keeps _total
  }
  return {name, nullptr};
}

// 0.0.4 knows counter, gauge, histogram, summary and untyped.
std::string_view TextTypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
    case MetricType::kGauge:
    case MetricType::kHistogram:
    case MetricType::kSummary:
      return MetricTypeName(t);
    case MetricType::kGaugeHistogram:
      return "histogram";
    case MetricType::kInfo:
    case MetricType::kStateSet:
      return "gauge";
    case MetricType::kUnknown:
      break;
  }
  return "untyped";
}

void AppendEscapedHelp(std::string& out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// Numeric order for le/quantile values (so buckets print in bound order), else bytewise.
int CompareLabelValue(std::string_view name, std::string_view a, std::string_view b) {
  if (a == b) return 0;
  if (name == "le" || name == "quantile") {
    auto parse = [](std::string_view s) -> std::optional<double> {
      if (s == "+Inf" || s == "Inf") return HUGE_VAL;
      if (s == "-Inf") return -HUGE_VAL;
      double d;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
      return d;
    };
    auto da = parse(a), db = parse(b);
    if (da && db && *da != *db) return *da < *db ? -1 : 1;
  }
  return a < b ? -1 : 1;
}

// Orders samples of one family: by labels other than __name__, then by name, so that each
// histogram/summary child's lines stay together (buckets, then _count, then _sum).
bool SampleLess(const ExpositionSample& x, const ExpositionSample& y) {
  const auto& a = x.series->labels();
  const auto& b = y.series->labels();
  size_t i = 0, j = 0;
  while (true) {
    while (i < a.size() && a[i].name->view() == kMetricNameLabel) ++i;
    while (j < b.size() && b[j].name->view() == kMetricNameLabel) ++j;
    if (i == a.size() || j == b.size()) {
      if (i != a.size() || j != b.size()) return i == a.size();
      break;
    }
    std::string_view an = a[i].name->view(), bn = b[j].name->view();
    if (an != bn) return an < bn;
    int c = CompareLabelValue(an, a[i].value->view(), b[j].value->view());
    if (c != 0) return c < 0;
    ++i;
    ++j;
  }
  return x.series->metric_name() < y.series->metric_name();
}

}  // namespace

void AppendPromFloat(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  // Shortest round-trip digits, then the layout of Go's strconv.FormatFloat(v, 'g', -1, 64):
  // exponent form when exp < -4 || exp >= 6 (ftoa.go: "if precision was the shortest possible,
  // use precision 6 for this decision"), at least two exponent digits.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(end - buf));
  size_t epos = sci.find('e');
  std::string_view mant = sci.substr(0, epos);
  int exp = std::atoi(std::string(sci.substr(epos + 1)).c_str());
  bool neg = !mant.empty() && mant[0] == '-';
  if (neg) mant.remove_prefix(1);
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits += c;
  }
  int nd = static_cast<int>(digits.size());
  constexpr int eprec = 6;
  if (neg) out += '-';
  if (exp < -4 || exp >= eprec) {
    out += digits[0];
    if (nd > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += 'e';
    out += exp < 0 ? '-' : '+';
    int ae = std::abs(exp);
    if (ae < 10) out += '0';
    out += std::to_string(ae);
    return;
  }
  if (exp < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exp - 1), '0');
    out += digits;
  } else if (exp + 1 >= nd) {
    out += digits;
    out.append(static_cast<size_t>(exp + 1 - nd), '0');
  } else {
    out.append(digits, 0, static_cast<size_t>(exp + 1));
    out += '.';
    out.append(digits, static_cast<size_t>(exp + 1));
  }
}

void WriteTextExposition(std::vector<ExpositionSample>& samples, const MetadataMap& metadata,
                         std::string& out, const Labels& omit) {
  struct Keyed {
    Family family;
    ExpositionSample sample;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(samples.size());
  for (const ExpositionSample& s : samples) {
    keyed.push_back({ResolveFamily(s.series->metric_name(), metadata), s});
  }
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    if (a.family.name != b.family.name) return a.family.name < b.family.name;
    return SampleLess(a.sample, b.sample);
  });
  std::string_view current;
  bool first = true;
  for (const Keyed& k : keyed) {
    if (first || k.family.name != current) {
      first = false;
      current = k.family.name;
      if (k.family.metadata != nullptr) {
        if (!k.family.metadata->help.empty()) {
          out += "# HELP ";
          out += current;
          out += ' ';
          AppendEscapedHelp(out, k.family.metadata->help);
          out += '\n';
        }
        out += "# TYPE ";
        out += current;
        out += ' ';
        out += TextTypeName(k.family.metadata->type);
        out += '\n';
      }
    }
    const Series& s = *k.sample.series;
    out += s.metric_name();
    bool any = false;
    for (const LabelRef& l : s.labels()) {
      if (l.name->view() == kMetricNameLabel) continue;
      if (!omit.empty() && omit.Has(l.name->view()) &&
          omit.Get(l.name->view()) == l.value->view()) {
        continue;
      }
      out += any ? ',' : '{';
      any = true;
      out += l.name->view();
      out += "=\"";
      AppendEscapedLabelValue(out, l.value->view());
      out += '"';
    }
    if (any) out += '}';
    out += ' ';
    AppendPromFloat(out, k.sample.value);
    out += '\n';
  }
}

}  // namespace tocsin
