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

TEST(GoFormatTest, FMatchesStrconv) {
  EXPECT_EQ(FormatGoFloatF(1), "1");
  EXPECT_EQ(FormatGoFloatF(1e6), "1000000");
  EXPECT_EQ(FormatGoFloatF(0.00001), "0.00001");
  EXPECT_EQ(FormatGoFloatF(1.5e-7), "0.00000015");
  EXPECT_EQ(FormatGoFloatF(-2.25), "-2.25");
}

}  // namespace
}  // namespace tocsin
