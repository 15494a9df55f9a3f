// agent/promql/go_sort.h against Go itself (tests/promql/gosort_golden, printed by gen.go there):
// which equal-valued sample ends up where after sort.Sort and after topk/bottomk's heap.
#include "agent/promql/go_sort.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "agent/promql/engine.h"
#include "tests/fakes/memory_queryable.h"

namespace tocsin::promql {
namespace {

struct S {
  int id;
  double f;
};

// Prometheus's vectorByValueHeap and vectorByReverseValueHeap Less.
bool ByValue(const S& a, const S& b) { return std::isnan(a.f) || a.f < b.f; }
bool ByReverse(const S& a, const S& b) { return std::isnan(a.f) || a.f > b.f; }

// gen.go's inputs.
std::vector<S> Gen(int n, uint64_t seed, int width) {
  const double pool[] = {1, 2, 0, -0.0, std::numeric_limits<double>::quiet_NaN(), 3, 1, 2};
  std::vector<S> out;
  uint64_t x = seed;
  for (int i = 0; i < n; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    out.push_back(S{i, pool[(x >> 33) % static_cast<uint64_t>(width)]});
  }
  return out;
}

// gen.go's keep(): Prometheus 3.0's aggregationK for one group.
std::vector<S> Keep(const std::vector<S>& in, int k, bool top) {
  auto less = top ? ByValue : ByReverse;
  std::vector<S> h{in[0]};
  for (size_t i = 1; i < in.size(); ++i) {
    const S& s = in[i];
    double root = h[0].f;
    if (static_cast<int>(h.size()) < k) {
      gosort::HeapPush(h, s, less);
    } else if ((top ? root < s.f : root > s.f) || (std::isnan(root) && !std::isnan(s.f))) {
      h[0] = s;
      if (k > 1) gosort::HeapFix(h, 0, less);
    }
  }
  if (h.size() > 1) gosort::Sort(h, [&](const S& a, const S& b) { return less(b, a); });
  return h;
}

std::string Ids(const std::vector<S>& v) {
  std::string out;
  for (const S& s : v) {
    if (!out.empty()) out += ',';
    out += std::to_string(s.id);
  }
  return out;
}

TEST(GoSortTest, MatchesGoOnTiesSignedZerosAndNaNs) {
  std::ifstream in(std::string(TOCSIN_TEST_DATA_DIR) + "/gosort_golden/golden.txt");
  ASSERT_TRUE(in) << "golden file missing";
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t colon = line.find(": ");
    ASSERT_NE(colon, std::string::npos) << line;
    std::istringstream head(line.substr(0, colon));
    std::string kind;
    int n = 0, width = 0, k = 0;
    uint64_t seed = 0;
    head >> kind >> n >> seed >> width;
    if (kind == "topk" || kind == "bottomk") head >> k;
    ASSERT_FALSE(head.fail()) << line;
    const std::string want = line.substr(colon + 2);
    std::vector<S> v = Gen(n, seed, width);
    if (kind == "sort") {
      gosort::Sort(v, ByValue);
    } else if (kind == "promql-sort") {
      gosort::Sort(v, [](const S& a, const S& b) { return ByReverse(b, a); });
    } else {
      v = Keep(v, k, kind == "topk");
    }
    EXPECT_EQ(Ids(v), want) << line.substr(0, colon);
    ++checked;
  }
  EXPECT_EQ(checked, 7 * 12);
}

Vector Eval(const Queryable& data, std::string_view q, TimestampMs t) {
  auto e = Parse(q);
  EXPECT_TRUE(e.ok()) << q;
  if (!e.ok()) return {};
  auto r = Engine().Instant(*e, data, t);
  EXPECT_TRUE(r.ok()) << q << ": " << r.status().message();
  return r.ok() ? r->vector : Vector{};
}

// Series x{i="00"}..x{i="NN"} (in label order, as Prometheus selects them) with `values`.
testing::MemoryQueryable Numbered(const std::vector<double>& values) {
  testing::MemoryQueryable data;
  for (size_t i = 0; i < values.size(); ++i) {
    std::string id = (i < 10 ? "0" : "") + std::to_string(i);
    data.Add({{"__name__", "x"}, {"i", id}}, {{0, values[i]}});
  }
  return data;
}

// gen.go's "topk 10 1 3 3" case through the engine: of four series at 1, Go's heap keeps i=02.
TEST(GoSortTest, TopkKeepsAndOrdersTiesAsPrometheus) {
  auto data = Numbered({0, 1, 1, 1, 1, 0, 0, 2, 1, 2});
  Vector v = Eval(data, "topk(3, x)", 0);
  std::vector<std::string> ids;
  for (const auto& s : v) ids.emplace_back(s.labels.Get("i"));
  EXPECT_EQ(ids, (std::vector<std::string>{"07", "09", "02"}));
}

// Go's sort leaves -0 in the middle of these 13 values (checked with Go): the median is -0.
TEST(GoSortTest, QuantileOfSignedZerosPicksGosZero) {
  const std::vector<double> values = {1, -0.0, -0.0, -0.0, -0.0, 1, 1, 0, -0.0, 0, -0.0, 0, -0.0};
  auto data = Numbered(values);
  Vector q = Eval(data, "quantile(0.5, x)", 0);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].v, 0);
  EXPECT_TRUE(std::signbit(q[0].v));
  testing::MemoryQueryable series;
  std::vector<Sample> samples;
  for (size_t i = 0; i < values.size(); ++i) {
    samples.push_back(Sample{static_cast<TimestampMs>(i) * 1000, values[i]});
  }
  series.Add({{"__name__", "y"}}, samples);
  Vector qt = Eval(series, "quantile_over_time(0.5, y[1m])", 12'000);
  ASSERT_EQ(qt.size(), 1u);
  EXPECT_TRUE(std::signbit(qt[0].v));
}

}  // namespace
}  // namespace tocsin::promql
