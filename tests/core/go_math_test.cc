#include "agent/core/go_math.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace tocsin::gomath {
namespace {

// Golden values printed by tests/core/gomath_golden/gen.go from Go's math package on
// linux/amd64: explicit cases ("set") and digests over seeded random inputs ("digest").
struct Case {
  uint64_t x, y, out;
};
struct Set {
  std::string name, kernel;
  std::vector<Case> cases;
};
struct Digest {
  std::string name, kernel;
  int n = 0;
  uint64_t seed = 0, fnv = 0;
  std::string dist_x, dist_y;
};
struct Golden {
  std::vector<Set> sets;
  std::vector<Digest> digests;
};

using Unary = double (*)(double);
using Binary = double (*)(double, double);
const std::map<std::string, Unary>& UnaryFns() {
  static const auto* fns = new std::map<std::string, Unary>{
      {"Exp", Exp},     {"Expm1", Expm1}, {"Exp2", Exp2},   {"Log", Log},     {"Log2", Log2},
      {"Log10", Log10}, {"Log1p", Log1p}, {"Sin", Sin},     {"Cos", Cos},     {"Tan", Tan},
      {"Asin", Asin},   {"Acos", Acos},   {"Atan", Atan},   {"Sinh", Sinh},   {"Cosh", Cosh},
      {"Tanh", Tanh},   {"Asinh", Asinh}, {"Acosh", Acosh}, {"Atanh", Atanh},
  };
  return *fns;
}
const std::map<std::string, Binary>& BinaryFns() {
  static const auto* fns =
      new std::map<std::string, Binary>{{"Pow", Pow}, {"Atan2", Atan2}, {"Mod", Mod}};
  return *fns;
}

uint64_t Hex(const std::string& s) { return std::stoull(s, nullptr, 16); }

const Golden& LoadGolden() {
  static const Golden* golden = [] {
    auto* g = new Golden;
    std::ifstream in(std::string(TOCSIN_TEST_DATA_DIR) + "/gomath_golden/golden.txt");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream ls(line);
      std::vector<std::string> f;
      for (std::string w; ls >> w;) f.push_back(w);
      if (f[0] == "set") {
        g->sets.push_back(Set{f.at(1), f.at(2), {}});
      } else if (f[0] == "digest") {
        Digest d{f.at(1), f.at(2), std::stoi(f.at(3)), std::stoull(f.at(4)), 0, f.at(5), ""};
        if (f.size() == 8) d.dist_y = f.at(6);
        d.fnv = Hex(f.back());
        g->digests.push_back(d);
      } else if (!g->sets.empty()) {
        Case c{Hex(f.at(0)), 0, 0};
        if (f.size() == 3) c.y = Hex(f[1]);
        c.out = Hex(f.back());
        g->sets.back().cases.push_back(c);
      }
    }
    return g;
  }();
  return *golden;
}

// Forces Go's Exp path a golden set was recorded on ("any": the function does not call Exp).
class KernelScope {
 public:
  explicit KernelScope(const std::string& kernel) {
    SetExpKernelForTesting(kernel == "fma"    ? ExpKernel::kFma
                           : kernel == "sse2" ? ExpKernel::kSse2
                                              : ExpKernel::kAuto);
  }
  ~KernelScope() { SetExpKernelForTesting(ExpKernel::kAuto); }
};

double Eval(const std::string& name, double x, double y) {
  if (auto it = UnaryFns().find(name); it != UnaryFns().end()) return it->second(x);
  return BinaryFns().at(name)(x, y);
}

std::string Show(uint64_t bits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%016" PRIx64 " (%.17g)", bits, std::bit_cast<double>(bits));
  return buf;
}

TEST(GoMathTest, MatchesGoBitForBit) {
  const Golden& g = LoadGolden();
  ASSERT_GE(g.sets.size(), 27u) << "golden file missing or truncated";
  size_t checked = 0;
  for (const Set& set : g.sets) {
    ASSERT_TRUE(UnaryFns().contains(set.name) || BinaryFns().contains(set.name)) << set.name;
    KernelScope kernel(set.kernel);
    int mismatches = 0;
    for (const Case& c : set.cases) {
      double got = Eval(set.name, std::bit_cast<double>(c.x), std::bit_cast<double>(c.y));
      ++checked;
      if (std::bit_cast<uint64_t>(got) == c.out) continue;
      if (++mismatches <= 10) {
        ADD_FAILURE() << set.name << " [" << set.kernel << "](" << Show(c.x)
                      << (BinaryFns().contains(set.name) ? ", " + Show(c.y) : "")
                      << ") = " << Show(std::bit_cast<uint64_t>(got)) << ", Go gives "
                      << Show(c.out);
      }
    }
    EXPECT_EQ(mismatches, 0) << set.name << " [" << set.kernel << "] of " << set.cases.size();
  }
  EXPECT_GT(checked, 15000u);
}

// The generator's input distributions (see gen.go), reproduced bit for bit.
struct SplitMix64 {
  uint64_t s;
  uint64_t Next() {
    s += 0x9e3779b97f4a7c15;
    uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }
};

double Draw(SplitMix64& r, const std::string& dist) {
  std::vector<std::string> p;
  std::istringstream ss(dist);
  for (std::string part; std::getline(ss, part, ':');) p.push_back(part);
  if (p[0] == "u") {
    double lo = std::stod(p[1]);
    double hi = std::stod(p[2]);
    double u = static_cast<double>(r.Next() >> 11) * (1.0 / 9007199254740992.0);
    double span = (hi - lo) * u;  // a separate statement: never fused with the add
    return lo + span;
  }
  if (p[0] == "e") {
    int emin = std::stoi(p[1]);
    int emax = std::stoi(p[2]);
    uint64_t r1 = r.Next();
    uint64_t r2 = r.Next();
    int64_t b = emin + 1023 + static_cast<int64_t>(r1 % static_cast<uint64_t>(emax - emin + 1));
    b = std::clamp<int64_t>(b, 0, 2046);
    uint64_t bits = (static_cast<uint64_t>(b) << 52) | (r2 & ((uint64_t{1} << 52) - 1));
    if (p.size() > 3 && p[3] == "s") bits |= r2 & (uint64_t{1} << 63);
    return std::bit_cast<double>(bits);
  }
  int64_t lo = std::stoll(p[1]);
  int64_t hi = std::stoll(p[2]);
  auto v =
      static_cast<double>(lo + static_cast<int64_t>(r.Next() % static_cast<uint64_t>(hi - lo + 1)));
  return p[0] == "h" ? v + 0.5 : v;
}

TEST(GoMathTest, MatchesGoOnSeededRandomInputs) {
  const Golden& g = LoadGolden();
  ASSERT_GE(g.digests.size(), 60u);
  for (const Digest& d : g.digests) {
    KernelScope kernel(d.kernel);
    SplitMix64 r{d.seed};
    uint64_t hash = 0xcbf29ce484222325;
    for (int i = 0; i < d.n; ++i) {
      double x = Draw(r, d.dist_x);
      double y = d.dist_y.empty() ? 0 : Draw(r, d.dist_y);
      uint64_t b = std::bit_cast<uint64_t>(Eval(d.name, x, y));
      for (int j = 0; j < 8; ++j) {
        hash ^= (b >> (8 * j)) & 0xff;
        hash *= 0x100000001b3;
      }
    }
    EXPECT_EQ(hash, d.fnv) << d.name << " [" << d.kernel << "] " << d.n << " inputs from "
                           << d.dist_x << " " << d.dist_y << " (seed " << d.seed << ")";
  }
}

TEST(GoMathTest, KnownDifferencesFromGlibc) {
  // Prometheus prints log10(20) as 1.301029995663981; glibc gives 1.3010299956639813. Go's
  // Log10 is Log(x) * (1/Ln10).
  EXPECT_EQ(Log10(20), 1.301029995663981);
  EXPECT_EQ(Log10(1000), 3);
  EXPECT_EQ(Log2(8), 3);
  // glibc: 0.523214785395139; Go reduces 1e22 with Payne-Hanek to 0.5232147853951389.
  EXPECT_EQ(Cos(1e22), 0.5232147853951389);
  // Go's amd64 Log does not normalise subnormals: the true value is -744.44.
  EXPECT_EQ(Log(5e-324), -709.0895657128241);
  EXPECT_EQ(std::bit_cast<uint64_t>(Pow(-8, 1.0 / 3)), uint64_t{0x7FF8000000000001});  // NaN()
}

TEST(GoMathTest, ModIsFmodWithGosNaN) {
  EXPECT_EQ(Mod(7, -3), 1);
  EXPECT_EQ(Mod(-7, 3), -1);
  EXPECT_TRUE(std::signbit(Mod(-6, 3)));
  EXPECT_EQ(std::bit_cast<uint64_t>(Mod(1, 0)), uint64_t{0x7FF8000000000001});
  EXPECT_EQ(Mod(5, INFINITY), 5);
}

TEST(GoMathTest, AutoKernelFollowsTheCpu) {
  SetExpKernelForTesting(ExpKernel::kAuto);
  ExpKernel k = ActiveExpKernel();
  EXPECT_TRUE(k == ExpKernel::kFma || k == ExpKernel::kSse2);
  SetExpKernelForTesting(ExpKernel::kSse2);
  EXPECT_EQ(ActiveExpKernel(), ExpKernel::kSse2);
  SetExpKernelForTesting(ExpKernel::kFma);
  EXPECT_EQ(ActiveExpKernel(), ExpKernel::kFma);
  SetExpKernelForTesting(ExpKernel::kAuto);
  EXPECT_EQ(ActiveExpKernel(), k);
}

}  // namespace
}  // namespace tocsin::gomath

namespace tocsin::gomath {
namespace {

// Go 1.19 on amd64: int64(v) for these v.
TEST(GoMathTest, Int64ConvertsAsAmd64Go) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(Int64(std::numeric_limits<double>::quiet_NaN()), INT64_MIN);
  EXPECT_EQ(Int64(inf), INT64_MIN);
  EXPECT_EQ(Int64(-inf), INT64_MIN);
  EXPECT_EQ(Int64(9223372036854775808.0), INT64_MIN);
  EXPECT_EQ(Int64(-9223372036854775808.0), INT64_MIN);
  EXPECT_EQ(Int64(9.2233720368547748e18), 9223372036854774784);
  EXPECT_EQ(Int64(1e300), INT64_MIN);
  EXPECT_EQ(Int64(-1.5), -1);
  EXPECT_EQ(Int64(1.9999), 1);
  EXPECT_EQ(Int64(-0.0), 0);
}

}  // namespace
}  // namespace tocsin::gomath
