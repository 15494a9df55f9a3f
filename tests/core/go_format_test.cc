#include "agent/core/go_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tocsin {
namespace {

TEST(GoFormatTest, GMatchesStrconv) {
  // Expected strings are what Go's strconv.FormatFloat(v, 'g', -1, 64) prints.
  EXPECT_EQ(FormatGoFloatG(0), "0");
  EXPECT_EQ(FormatGoFloatG(-0.0), "-0");
  EXPECT_EQ(FormatGoFloatG(0.5), "0.5");
  EXPECT_EQ(FormatGoFloatG(123456), "123456");
  EXPECT_EQ(FormatGoFloatG(1e6), "1e+06");
  EXPECT_EQ(FormatGoFloatG(1234567), "1.234567e+06");
  EXPECT_EQ(FormatGoFloatG(0.0001), "0.0001");
  EXPECT_EQ(FormatGoFloatG(0.00001), "1e-05");
  EXPECT_EQ(FormatGoFloatG(1e21), "1e+21");
  EXPECT_EQ(FormatGoFloatG(1e100), "1e+100");
  EXPECT_EQ(FormatGoFloatG(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatGoFloatG(std::nan("")), "NaN");
  EXPECT_EQ(FormatGoFloatG(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatGoFloatG(-std::numeric_limits<double>::infinity()), "-Inf");
}

// strconv.FormatFloat(v, 'e', -1, 64), as Go 1.19 prints these.
TEST(GoFormatTest, EMatchesStrconv) {
  EXPECT_EQ(FormatGoFloatE(1), "1e+00");
  EXPECT_EQ(FormatGoFloatE(0), "0e+00");
  EXPECT_EQ(FormatGoFloatE(-2.5e-07), "-2.5e-07");
  EXPECT_EQ(FormatGoFloatE(123456789), "1.23456789e+08");
  EXPECT_EQ(FormatGoFloatE(1e300), "1e+300");
  EXPECT_EQ(FormatGoFloatE(std::nan("")), "NaN");
  EXPECT_EQ(FormatGoFloatE(-std::numeric_limits<double>::infinity()), "-Inf");
}

// fmt.Sprintf("%f", v) and "%v", as Go 1.19 prints these.
TEST(GoFormatTest, PrintfFAndVMatchFmt) {
  struct Case {
    double v;
    const char* f;
    const char* v_verb;
  };
  const Case cases[] = {
      {0, "0.000000", "0"},
      {-0.0, "-0.000000", "-0"},
      {1, "1.000000", "1"},
      {2.5e-07, "0.000000", "2.5e-07"},
      {1.0000005, "1.000001", "1.0000005"},
      {5e-07, "0.000000", "5e-07"},
      {1.5e-06, "0.000002", "1.5e-06"},
      {123456789.123456789, "123456789.123457", "1.2345678912345679e+08"},
      {1e19, "10000000000000000000.000000", "1e+19"},
      {-3.75, "-3.750000", "-3.75"},
      {std::nan(""), "NaN", "NaN"},
      {std::numeric_limits<double>::infinity(), "+Inf", "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf", "-Inf"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FormatGoPrintfF(c.v), c.f) << c.v;
    EXPECT_EQ(FormatGoFloatG(c.v), c.v_verb) << c.v;
  }
  EXPECT_EQ(FormatGoPrintfF(1e300).size(), 308u);  // every exact digit, as Go prints
}

TEST(GoFormatTest, FMatchesStrconv) {
  EXPECT_EQ(FormatGoFloatF(1), "1");
  EXPECT_EQ(FormatGoFloatF(1e6), "1000000");
  EXPECT_EQ(FormatGoFloatF(0.00001), "0.00001");
  EXPECT_EQ(FormatGoFloatF(1.5e-7), "0.00000015");
  EXPECT_EQ(FormatGoFloatF(-2.25), "-2.25");
}

// Golden strings printed by Go 1.19: strconv.FormatFloat(v, 'f', -1, 64), and
// jsonutil.MarshalFloat's choice of 'e' or 'f' (Prometheus 2.42 and 3.0 alike).
struct Golden {
  double v;
  const char* f;
  const char* sample;
};
const Golden kGolden[] = {
    {0, "0", "0"},
    {-0.0, "-0", "-0"},
    {0.5, "0.5", "0.5"},
    {1e6, "1000000", "1000000"},
    {1e-6, "0.000001", "0.000001"},
    {1e-7, "0.0000001", "1e-07"},
    {2.9168236352203776e-07, "0.00000029168236352203776", "2.9168236352203776e-07"},
    {4.35e-17, "0.0000000000000000435", "4.35e-17"},
    {2.5e-05, "0.000025", "0.000025"},
    {1.0000000000000002, "1.0000000000000002", "1.0000000000000002"},
    {1234567.125, "1234567.125", "1234567.125"},
    // Shortest digits padded with zeros, not the exact integer 177514401712176384.
    {177514401712176384.0, "177514401712176400", "177514401712176400"},
    {123456789012345678.0, "123456789012345680", "123456789012345680"},
    {9007199254740992.0, "9007199254740992", "9007199254740992"},
    {1e17, "100000000000000000", "100000000000000000"},
    {3.0000000000000007e+20, "300000000000000070000", "300000000000000070000"},
    {999999999999999900000.0, "999999999999999900000", "999999999999999900000"},
    {1e21, "1000000000000000000000", "1e+21"},
    {11545674521997289193472.0, "11545674521997290000000", "1.154567452199729e+22"},
    {1.23456e+32, "123456000000000000000000000000000", "1.23456e+32"},
    {-5e-324,
     "-0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000005",
     "-5e-324"},
    {6.239452022590642e+248,
     "62394520225906420000000000000000000000000000000000000000000000000000000000000000000000000"
     "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "00000000000000000000000000000000000000000000000000000000000000000000000",
     "6.239452022590642e+248"},
    {1.7976931348623157e308,
     "17976931348623157000000000000000000000000000000000000000000000000000000000000000000000000"
     "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000",
     "1.7976931348623157e+308"},
    {std::numeric_limits<double>::quiet_NaN(), "NaN", "NaN"},
    {std::numeric_limits<double>::infinity(), "+Inf", "+Inf"},
    {-std::numeric_limits<double>::infinity(), "-Inf", "-Inf"},
};

TEST(GoFormatTest, FGolden) {
  for (const Golden& g : kGolden) EXPECT_EQ(FormatGoFloatF(g.v), g.f) << g.sample;
}

TEST(GoFormatTest, SampleGolden) {
  for (const Golden& g : kGolden) EXPECT_EQ(FormatGoFloatSample(g.v), g.sample) << g.f;
}

}  // namespace
}  // namespace tocsin
