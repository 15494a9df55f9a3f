// The template function table (rules/template/funcs.h) is consistent: what the parser accepts
// is exactly the table's builtin and Prometheus entries, each is implemented or explicitly
// unsupported, and names outside the table are rejected as before.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "rules/template/funcs.h"
#include "rules/template/parser.h"

namespace tocsin::rules::tmpl {
namespace {

// Accepted by the parser (Prometheus has them) but not implemented: a render that reaches one
// fails with `function "x" not supported`. Implementing one means deleting it here.
const std::set<std::string> kUnsupported = {
    "args", "call", "graphLink", "js", "pathPrefix", "slice", "tableLink", "toDuration", "toTime",
};

std::string ParseError(const std::string& text) {
  auto t = ParseAlertTemplate(text, "A");
  return t.ok() ? "" : t.status().message();
}

TEST(TemplateFunctions, TableIsSortedAndLookupFindsEveryEntry) {
  auto table = TemplateFunctions();
  ASSERT_FALSE(table.empty());
  for (size_t i = 0; i < table.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(table[i - 1].name, table[i].name);
    }
    EXPECT_EQ(FindTemplateFunction(table[i].name), &table[i]) << table[i].name;
  }
}

TEST(TemplateFunctions, EveryAcceptedNameIsCallableOrExplicitlyUnsupported) {
  FuncContext ctx;
  for (const TemplateFunction& f : TemplateFunctions()) {
    std::string name(f.name);
    EXPECT_EQ(IsBuiltinFunction(name), f.set == FuncSet::kBuiltin) << name;
    EXPECT_EQ(IsPrometheusFunction(name), f.set == FuncSet::kPrometheus) << name;
    EXPECT_EQ(IsTemplateFunction(name), f.set == FuncSet::kBuiltin || f.set == FuncSet::kPrometheus)
        << name;
    EXPECT_EQ(IsTemplateFunction(name, FuncDialect::kAlertmanager), f.alertmanager) << name;
    if (f.set == FuncSet::kBuiltin) {
      EXPECT_TRUE(f.alertmanager) << name;
    }
    if (!IsTemplateFunction(name) && !f.alertmanager) continue;
    if (IsTemplateFunction(name)) {
      EXPECT_EQ(ParseError("{{ " + name + " }}").find("not defined"), std::string::npos) << name;
    }
    const std::string unsupported = "function \"" + name + "\" not supported";
    for (const auto& args : {std::vector<Value>{}, std::vector<Value>{Value::Str("x")}}) {
      auto r = CallTemplateFunction(name, args, ctx);
      if (kUnsupported.count(name)) {
        EXPECT_EQ(f.fn, nullptr) << name;
        ASSERT_FALSE(r.ok()) << name;
        EXPECT_EQ(r.status().message(), unsupported);
      } else {
        EXPECT_NE(f.fn, nullptr) << name << " is accepted but has no implementation";
        if (!r.ok()) {
          EXPECT_NE(r.status().message(), unsupported);
        }
      }
    }
  }
}

TEST(TemplateFunctions, UnknownAndConsoleOnlyNamesAreRejectedAsBefore) {
  FuncContext ctx;
  for (std::string name : {"foo", "tmpl", "Humanize", ""}) {
    EXPECT_FALSE(IsTemplateFunction(name)) << name;
    auto r = CallTemplateFunction(name, {}, ctx);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().message(), "function \"" + name + "\" not supported");
  }
  EXPECT_EQ(ParseError("{{ foo }}"), "template: __alert_A:1: function \"foo\" not defined");
  EXPECT_EQ(ParseError("{{ tmpl \"x\" . }}"),
            "template: __alert_A:1: function \"tmpl\" not defined");
}

TEST(TemplateFunctions, ErrorTextsCarryTheCalledName) {
  FuncContext ctx;
  auto r = CallTemplateFunction("toUpper", {Value::Str("a"), Value::Str("b")}, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "wrong number of args for toUpper: want 1 got 2");
  r = CallTemplateFunction("humanize1024", {Value::Str("x")}, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "error calling humanize1024: strconv.ParseFloat: parsing \"x\": invalid syntax");
  r = CallTemplateFunction("lt", {Value::Int(1), Value::Int(2), Value::Int(3)}, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "wrong number of args for lt: want 2 got 3");
}

}  // namespace
}  // namespace tocsin::rules::tmpl
