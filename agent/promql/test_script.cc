#include "agent/promql/test_script.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "agent/core/duration.h"
#include "agent/core/regex.h"
#include "agent/promql/engine.h"
#include "agent/promql/quote.h"
#include "agent/promql/series_notation.h"
#include "agent/promql/test_histograms.h"
#include "agent/store/series_store.h"

namespace tocsin::promql {
namespace {

using std::chrono::milliseconds;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// A time or step: a Prometheus duration ("50m", "0") or a number of seconds.
std::optional<TimestampMs> ParseTime(std::string_view s) {
  if (auto d = ParseDuration(s); d.ok()) return d->count();
  std::string str(s);
  char* end = nullptr;
  double v = std::strtod(str.c_str(), &end);
  if (str.empty() || end != str.c_str() + str.size() || !std::isfinite(v)) return std::nullopt;
  return static_cast<TimestampMs>(std::llround(v * 1000));
}

bool AlmostEqual(double a, double b) {
  constexpr double kEps = 1e-6;
  constexpr double kMinNormal = 2.2250738585072014e-308;
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  double abs_sum = std::fabs(a) + std::fabs(b);
  double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < kMinNormal) return diff < kEps * kMinNormal;
  return diff / std::min(abs_sum, std::numeric_limits<double>::max()) < kEps;
}

constexpr double kEpsilon = 1e-6;

// One point of a range result or expectation: a float or a native histogram.
struct Point {
  TimestampMs t;
  double v;
  const FloatHistogram* h;
  bool Equals(const Point& o) const {
    if (t != o.t || (h == nullptr) != (o.h == nullptr)) return false;
    return h != nullptr ? h->ApproxEquals(*o.h, kEpsilon) : AlmostEqual(v, o.v);
  }
  std::string ToString() const {
    return (h != nullptr ? h->ToString() : FormatFloat(v)) + "@" + std::to_string(t);
  }
};

std::vector<Point> Points(const RangeSeries& s) {
  std::vector<Point> out;
  for (const Sample& p : s.points) out.push_back(Point{p.t, p.v, nullptr});
  for (const HistogramSample& p : s.histograms) out.push_back(Point{p.t, 0, p.h.get()});
  std::stable_sort(out.begin(), out.end(),
                   [](const Point& a, const Point& b) { return a.t < b.t; });
  return out;
}

struct Expected {
  bool scalar = false;  // a bare value line
  Labels labels;
  SeriesValues values;
  std::vector<std::optional<FloatHistogram>> histograms;  // per value: a native histogram
  int pos = 0;                                            // 1-based line order (eval_ordered)
};

std::string FormatExpected(const Expected& e) {
  std::string out;
  for (size_t i = 0; i < e.values.size(); ++i) {
    if (!out.empty()) out += ' ';
    if (e.histograms[i]) {
      out += e.histograms[i]->ToString();
    } else {
      out += e.values[i] ? FormatFloat(*e.values[i]) : "_";
    }
  }
  return out;
}

struct EvalCase {
  int line = 0;
  std::string kind;  // "", "fail", "ordered", "warn", "info"
  bool range = false;
  TimestampMs start = 0, end = 0;
  int64_t step = 0;
  std::string expr;
  std::vector<Expected> expected;
  std::string fail_message;
  std::string fail_regexp;
};

class Script {
 public:
  Script(std::string_view name, std::ostream& out) : name_(name), out_(out) { Reset(); }

  Result<PromqlTestCounts> Run(std::string_view content) {
    std::vector<std::string> lines;
    {
      std::string cur;
      std::istringstream in{std::string(content)};
      while (std::getline(in, cur)) {
        std::string_view t = Trim(cur);
        if (!t.empty() && t[0] == '#') t = {};
        lines.emplace_back(t);
      }
    }
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string& l = lines[i];
      if (l.empty()) continue;
      int lineno = static_cast<int>(i) + 1;
      // The block: this line and the following non-empty ones.
      size_t j = i + 1;
      while (j < lines.size() && !lines[j].empty()) ++j;
      std::vector<std::string_view> body;
      for (size_t k = i + 1; k < j; ++k) body.push_back(lines[k]);
      Status st;
      if (l == "clear") {
        Reset();
        j = i + 1;  // clear takes no block
      } else if (l.starts_with("load ") || l.starts_with("load_with_nhcb ")) {
        st = Load(l, body, lineno);
      } else if (l.starts_with("eval")) {
        st = RunEval(l, body, lineno);
      } else {
        st = InvalidArgument("unknown command \"" + l + "\"");
      }
      if (!st.ok()) {
        return InvalidArgument(name_ + ":" + std::to_string(lineno) + ": " + st.message());
      }
      i = j - 1;
    }
    return counts_;
  }

 private:
  void Reset() {
    store_ = std::make_unique<SeriesStore>(StoreOptions{.retention = milliseconds(0)});
    histograms_.clear();
  }

  Status Load(std::string_view header, const std::vector<std::string_view>& body, int lineno) {
    bool nhcb = header.starts_with("load_with_nhcb");
    std::string_view arg = Trim(header.substr(header.find(' ')));
    auto interval = ParseDuration(arg);
    if (!interval.ok())
      return InvalidArgument("invalid load interval \"" + std::string(arg) + "\"");
    // A series defined twice in one block: the later definition wins, as in promqltest.
    std::vector<SeriesDescription> defs;
    std::vector<std::vector<std::optional<FloatHistogram>>> native;  // per def, per step
    for (size_t k = 0; k < body.size(); ++k) {
      auto where = [&] {
        return "line " + std::to_string(lineno + 1 + static_cast<int>(k)) + ": ";
      };
      HistogramLiterals literals;
      auto line = literals.Extract(body[k]);
      if (!line.ok()) return InvalidArgument(where() + line.status().message());
      auto desc = ParseSeriesDescription(*line);
      if (!desc.ok()) return InvalidArgument(where() + desc.status().message());
      auto hs = literals.Resolve(desc->values);
      bool replaced = false;
      for (size_t d = 0; d < defs.size(); ++d) {
        if (defs[d].labels == desc->labels) {
          defs[d] = std::move(desc).value();
          native[d] = std::move(hs);
          replaced = true;
          break;
        }
      }
      if (!replaced) {
        defs.push_back(std::move(desc).value());
        native.push_back(std::move(hs));
      }
    }
    for (size_t d = 0; d < defs.size(); ++d) {
      for (size_t i = 0; i < native[d].size(); ++i) {
        if (!native[d][i]) continue;
        histograms_[defs[d].labels].push_back(
            HistogramSample{static_cast<TimestampMs>(i) * interval->count(),
                            std::make_shared<FloatHistogram>(std::move(*native[d][i]))});
      }
    }
    if (nhcb) {
      HistogramSeriesMap converted;
      TOCSIN_RETURN_IF_ERROR(ConvertClassicToNhcb(defs, interval->count(), converted));
      for (auto& [labels, samples] : converted) {
        auto& dst = histograms_[labels];
        dst.insert(dst.end(), samples.begin(), samples.end());
      }
    }
    for (auto& [labels, samples] : histograms_) {
      std::stable_sort(
          samples.begin(), samples.end(),
          [](const HistogramSample& a, const HistogramSample& b) { return a.t < b.t; });
    }
    auto app = store_->NewAppender("", 0);
    for (const SeriesDescription& d : defs) {
      for (size_t i = 0; i < d.values.size(); ++i) {
        if (!d.values[i]) continue;
        auto t = static_cast<TimestampMs>(i) * interval->count();
        TOCSIN_RETURN_IF_ERROR(app->AddAt(d.labels, t, *d.values[i]));
      }
    }
    auto committed = app->Commit();
    if (!committed.ok()) return committed.status();
    return Status::Ok();
  }

  Status ParseEval(std::string_view l, const std::vector<std::string_view>& body, int lineno,
                   EvalCase& c) {
    c.line = lineno;
    size_t sp = l.find_first_of(" \t");
    if (sp == std::string_view::npos) return InvalidArgument("invalid eval command");
    std::string_view cmd = l.substr(0, sp);
    if (cmd != "eval") {
      if (!cmd.starts_with("eval_")) return InvalidArgument("unknown command");
      c.kind = std::string(cmd.substr(5));
      if (c.kind != "fail" && c.kind != "ordered" && c.kind != "warn" && c.kind != "info") {
        return InvalidArgument("unknown command \"" + std::string(cmd) + "\"");
      }
    }
    std::string_view rest = Trim(l.substr(sp));
    auto next_word = [&rest]() {
      rest = Trim(rest);
      size_t e = rest.find_first_of(" \t");
      std::string_view w = rest.substr(0, e);
      rest = e == std::string_view::npos ? std::string_view{} : rest.substr(e);
      return w;
    };
    std::string_view mode = next_word();
    if (mode == "instant") {
      if (next_word() != "at") return InvalidArgument("expected \"at\" in instant eval");
      std::string_view at = next_word();
      auto t = ParseTime(at);
      if (!t) return InvalidArgument("invalid evaluation time \"" + std::string(at) + "\"");
      c.start = c.end = *t;
    } else if (mode == "range") {
      if (c.kind == "ordered") return InvalidArgument("eval_ordered is not supported for range");
      c.range = true;
      std::optional<TimestampMs> a, b, s;
      if (next_word() != "from" || !(a = ParseTime(next_word())) || next_word() != "to" ||
          !(b = ParseTime(next_word())) || next_word() != "step" || !(s = ParseTime(next_word()))) {
        return InvalidArgument("invalid range eval: want \"range from A to B step S EXPR\"");
      }
      c.start = *a;
      c.end = *b;
      c.step = *s;
    } else {
      return InvalidArgument("invalid eval command: want instant or range");
    }
    c.expr = std::string(Trim(rest));
    int pos = 0;
    for (size_t k = 0; k < body.size(); ++k) {
      std::string_view line = body[k];
      if (line.starts_with("expected_fail_message")) {
        c.fail_message = std::string(Trim(line.substr(21)));
        continue;
      }
      if (line.starts_with("expected_fail_regexp")) {
        c.fail_regexp = std::string(Trim(line.substr(20)));
        continue;
      }
      Expected e;
      e.pos = ++pos;
      HistogramLiterals literals;
      auto text = literals.Extract(line);
      if (!text.ok()) {
        return InvalidArgument("line " + std::to_string(lineno + 1 + static_cast<int>(k)) + ": " +
                               text.status().message());
      }
      if (auto v = ParseSeriesValues(*text); v.ok()) {
        e.scalar = true;
        e.values = std::move(v).value();
      } else {
        auto d = ParseSeriesDescription(*text);
        if (!d.ok()) {
          return InvalidArgument("line " + std::to_string(lineno + 1 + static_cast<int>(k)) + ": " +
                                 d.status().message());
        }
        e.labels = std::move(d->labels);
        e.values = std::move(d->values);
      }
      e.histograms = literals.Resolve(e.values);
      if (!c.range && e.values.size() != 1) {
        return InvalidArgument("line " + std::to_string(lineno + 1 + static_cast<int>(k)) +
                               ": an instant result takes exactly one value");
      }
      c.expected.push_back(std::move(e));
    }
    return Status::Ok();
  }

  Status RunEval(std::string_view l, const std::vector<std::string_view>& body, int lineno) {
    EvalCase c;
    TOCSIN_RETURN_IF_ERROR(ParseEval(l, body, lineno, c));
    std::string where = name_ + ":" + std::to_string(lineno) + ": ";
    HistogramOverlayQueryable data(*store_, histograms_);
    Engine engine;
    Result<Value> result = InvalidArgument("not run");
    auto parsed = Parse(c.expr);
    if (!parsed.ok()) {
      result = parsed.status();
    } else if (c.range) {
      result = engine.Range(*parsed, data, c.start, c.end, milliseconds(c.step));
    } else {
      result = engine.Instant(*parsed, data, c.start);
    }
    std::string err = Check(c, result);
    if (err.empty()) {
      counts_.passed++;
    } else {
      counts_.failed++;
      out_ << where << "FAILED: " << l << "\n    " << err << "\n";
    }
    return Status::Ok();
  }

  static const Expected* Find(const EvalCase& c, const Labels& l) {
    for (const Expected& e : c.expected) {
      if (!e.scalar && e.labels == l) return &e;
    }
    return nullptr;
  }

  std::string Check(const EvalCase& c, const Result<Value>& r) {
    if (c.kind == "fail") {
      if (r.ok()) return "expected an error, the query succeeded";
      const std::string& msg = r.status().message();
      if (!c.fail_message.empty() && msg != c.fail_message) {
        return "expected error \"" + c.fail_message + "\", got \"" + msg + "\"";
      }
      if (!c.fail_regexp.empty()) {
        auto re = Regex::Compile(c.fail_regexp, Regex::Anchoring::kNone);
        if (!re.ok()) return "invalid expected_fail_regexp: " + re.status().message();
        if (!re->Matches(msg))
          return "error \"" + msg + "\" does not match /" + c.fail_regexp + "/";
      }
      return "";
    }
    if (!r.ok()) return "unexpected error: " + r.status().message();
    const Value& v = *r;
    switch (v.type) {
      case ValueType::kScalar: {
        if (c.expected.size() != 1) return "expected a vector or matrix result, got a scalar";
        if (!c.expected[0].values[0]) return "expected a histogram, got a scalar";
        double want = *c.expected[0].values[0];
        if (!AlmostEqual(want, v.scalar)) {
          return "expected scalar " + FormatFloat(want) + " but got " + FormatFloat(v.scalar);
        }
        return "";
      }
      case ValueType::kString:
        return "unexpected string result \"" + v.str + "\"";
      case ValueType::kVector: {
        if (c.range) return "range query returned an instant vector";
        std::vector<bool> seen(c.expected.size());
        for (size_t pos = 0; pos < v.vector.size(); ++pos) {
          const InstantSample& s = v.vector[pos];
          const Expected* e = Find(c, s.labels);
          if (e == nullptr) {
            return "unexpected metric " + s.labels.ToMetricString() + " in result, has value " +
                   (s.h ? s.h->ToString() : FormatFloat(s.v));
          }
          if (c.kind == "ordered" && e->pos != static_cast<int>(pos) + 1) {
            return "expected metric " + s.labels.ToMetricString() + " at position " +
                   std::to_string(e->pos) + " but was at " + std::to_string(pos + 1);
          }
          const std::optional<FloatHistogram>& want_h = e->histograms[0];
          bool equal = want_h || s.h ? want_h && s.h && want_h->ApproxEquals(*s.h, kEpsilon)
                                     : e->values[0] && AlmostEqual(*e->values[0], s.v);
          if (!equal) {
            return "expected " + FormatExpected(*e) + " for " + s.labels.ToMetricString() +
                   " but got " + (s.h ? s.h->ToString() : FormatFloat(s.v));
          }
          seen[static_cast<size_t>(e - c.expected.data())] = true;
        }
        for (size_t i = 0; i < c.expected.size(); ++i) {
          if (!seen[i]) {
            return "expected metric " +
                   (c.expected[i].scalar ? std::string("(scalar)")
                                         : c.expected[i].labels.ToMetricString()) +
                   " with " + FormatExpected(c.expected[i]) + " not found (result has " +
                   std::to_string(v.vector.size()) + " elements)";
          }
        }
        return "";
      }
      case ValueType::kMatrix: {
        if (c.kind == "ordered") return "expected ordered result, but query returned a matrix";
        std::vector<bool> seen(c.expected.size());
        for (const RangeSeries& s : v.matrix) {
          const Expected* e = Find(c, s.labels);
          if (e == nullptr && s.labels.empty() && c.expected.size() == 1 && c.expected[0].scalar) {
            e = &c.expected[0];
          }
          std::vector<Point> got = Points(s);
          std::string got_text;
          for (const Point& p : got) got_text += " " + p.ToString();
          if (e == nullptr) {
            return "unexpected metric " + s.labels.ToMetricString() + " in result, has" + got_text;
          }
          seen[static_cast<size_t>(e - c.expected.data())] = true;
          std::vector<Point> want;
          for (size_t i = 0; i < e->values.size(); ++i) {
            TimestampMs t = c.start + static_cast<TimestampMs>(i) * c.step;
            if (t > c.end) {
              return "expected " + std::to_string(e->values.size()) + " points for " +
                     s.labels.ToMetricString() +
                     ", but query time range cannot return this many points";
            }
            if (e->histograms[i]) {
              want.push_back(Point{t, 0, &*e->histograms[i]});
            } else if (e->values[i]) {
              want.push_back(Point{t, *e->values[i], nullptr});
            }
          }
          if (want.size() != got.size()) {
            return "expected " + std::to_string(want.size()) + " points for " +
                   s.labels.ToMetricString() + ", got" + got_text;
          }
          for (size_t i = 0; i < want.size(); ++i) {
            if (!want[i].Equals(got[i])) {
              return "expected " + want[i].ToString() + " for " + s.labels.ToMetricString() +
                     ", got" + got_text;
            }
          }
        }
        for (size_t i = 0; i < c.expected.size(); ++i) {
          if (!seen[i]) {
            return "expected metric " +
                   (c.expected[i].scalar ? std::string("{}")
                                         : c.expected[i].labels.ToMetricString()) +
                   " not found";
          }
        }
        return "";
      }
      case ValueType::kNone:
        return "no result";
    }
    return "";
  }

  std::string name_;
  std::ostream& out_;
  std::unique_ptr<SeriesStore> store_;
  HistogramSeriesMap histograms_;
  PromqlTestCounts counts_;
};

std::string CountsLine(const PromqlTestCounts& c) {
  return std::to_string(c.passed) + " passed, " + std::to_string(c.failed) + " failed, " +
         std::to_string(c.skipped) + " skipped";
}

}  // namespace

Result<PromqlTestCounts> RunPromqlTestScript(std::string_view name, std::string_view content,
                                             std::ostream& out) {
  Script s(name, out);
  return s.Run(content);
}

int RunPromqlTestFiles(const std::vector<std::string>& files, std::ostream& out) {
  PromqlTestCounts total;
  bool broken = false;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      out << f << ": cannot read file\n";
      broken = true;
      continue;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto r = RunPromqlTestScript(f, ss.str(), out);
    if (!r.ok()) {
      out << r.status().message() << "\n" << f << ": script error\n";
      broken = true;
      continue;
    }
    out << f << ": " << CountsLine(*r) << "\n";
    total.passed += r->passed;
    total.failed += r->failed;
    total.skipped += r->skipped;
  }
  out << CountsLine(total) << "\n";
  return (broken || total.failed > 0) ? 1 : 0;
}

}  // namespace tocsin::promql
