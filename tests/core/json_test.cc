// The one JSON encoder against Go encoding/json's outputs (values taken from Go's own
// encode_test.go cases and json.Marshal results).
#include "agent/core/json.h"

#include <gtest/gtest.h>

#include <limits>

#include "agent/core/utf8.h"

namespace tocsin {
namespace {

std::string Quote(std::string_view s, bool html = false) {
  std::string out;
  AppendJsonString(out, s, html);
  return out;
}

TEST(Utf8Test, ValidityFollowsGo) {
  EXPECT_TRUE(ValidUtf8("plain ascii"));
  EXPECT_TRUE(ValidUtf8("\xe2\x82\xac \xf0\x9f\x94\xa5"));  // € 🔥
  EXPECT_FALSE(ValidUtf8("\xff"));
  EXPECT_FALSE(ValidUtf8("\xc0\x80"));          // overlong NUL
  EXPECT_FALSE(ValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(ValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(ValidUtf8("\xe2\x82"));          // truncated
}

TEST(Utf8Test, SanitizeReplacesEachBadByte) {
  EXPECT_EQ(SanitizeUtf8("a\xffz"), "a\xef\xbf\xbdz");
  // Go's DecodeRune consumes one byte of a truncated sequence at a time.
  EXPECT_EQ(SanitizeUtf8("\xe2\x82y"), "\xef\xbf\xbd\xef\xbf\xbdy");
  std::string s = "ok";
  EXPECT_FALSE(SanitizeUtf8InPlace(s));
  s = "\xc0\x80";
  EXPECT_TRUE(SanitizeUtf8InPlace(s));
  EXPECT_EQ(s, "\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(JsonTest, StringsAsGoWritesThem) {
  EXPECT_EQ(Quote("\xff"), R"("\ufffd")");
  EXPECT_EQ(Quote("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");
  EXPECT_EQ(Quote("a\"b\\c\n\r\t"), R"("a\"b\\c\n\r\t")");
  EXPECT_EQ(Quote(std::string_view("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(Quote("\xe2\x80\xa8\xe2\x80\xa9"), R"("\u2028\u2029")");
  EXPECT_EQ(Quote("<a&b>"), R"("<a&b>")");
  EXPECT_EQ(Quote("<a&b>", true), R"("\u003ca\u0026b\u003e")");
  EXPECT_EQ(Quote("\xe2\x82\xac"), "\"\xe2\x82\xac\"");
}

TEST(JsonTest, FloatsAsGoWritesThem) {
  auto f = [](double v) {
    std::string out;
    AppendJsonFloat(out, v);
    return out;
  };
  EXPECT_EQ(f(0), "0");
  EXPECT_EQ(f(0.5), "0.5");
  EXPECT_EQ(f(1e20), "100000000000000000000");
  EXPECT_EQ(f(1e21), "1e+21");
  EXPECT_EQ(f(1e-7), "1e-7");
  EXPECT_EQ(f(1.5e-10), "1.5e-10");
  EXPECT_EQ(f(0.000001), "0.000001");
  EXPECT_EQ(f(std::numeric_limits<double>::quiet_NaN()), "null");
}

TEST(JsonTest, TreesNeverThrowOnBadBytes) {
  nlohmann::json doc = {
      {"b", {1, 2.5, true, nullptr}}, {"a", "\xff"}, {"c", nlohmann::json::object()}};
  EXPECT_EQ(EncodeJson(doc), R"({"a":"\ufffd","b":[1,2.5,true,null],"c":{}})");
  EXPECT_EQ(EncodeJson(nlohmann::json{{"k", {1}}}, {.indent = 1}), "{\n \"k\": [\n  1\n ]\n}");
}

}  // namespace
}  // namespace tocsin
