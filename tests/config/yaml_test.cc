// Tests of the positioned YAML tree: marks, scalars, nulls, aliases, duplicates, errors.
#include "agent/config/yaml.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace tocsin {
namespace {

YamlNode MustParse(std::string_view text) {
  Result<YamlNode> r = ParseYaml(text, "t.yml");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : YamlNode::Null({});
}

void ExpectMark(const YamlNode& n, int line, int column) {
  EXPECT_EQ(n.mark().line, line);
  EXPECT_EQ(n.mark().column, column);
}

TEST(YamlTest, MarksAreOneBasedForKeysAndValues) {
  YamlNode root = MustParse("web:\n  listen_address: 127.0.0.1:9469\n  other: [a, b]\n");
  ASSERT_TRUE(root.IsMap());
  ExpectMark(root, 1, 1);
  ASSERT_EQ(root.entries().size(), 1u);
  ExpectMark(root.entries()[0].first, 1, 1);  // key "web"
  const YamlNode* web = root.Find("web");
  ASSERT_NE(web, nullptr);
  ASSERT_TRUE(web->IsMap());
  ExpectMark(*web, 2, 3);
  ExpectMark(web->entries()[0].first, 2, 3);    // key "listen_address"
  ExpectMark(web->entries()[0].second, 2, 19);  // its value
  EXPECT_EQ(web->entries()[0].second.scalar(), "127.0.0.1:9469");
  const YamlNode* other = web->Find("other");
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(other->IsSequence());
  ExpectMark(*other, 3, 10);
  ASSERT_EQ(other->items().size(), 2u);
  ExpectMark(other->items()[1], 3, 14);
  EXPECT_EQ(other->items()[1].scalar(), "b");
}

TEST(YamlTest, MapsKeepDocumentOrder) {
  YamlNode root = MustParse("z: 1\na: 2\nm: 3\n");
  ASSERT_EQ(root.entries().size(), 3u);
  EXPECT_EQ(root.entries()[0].first.scalar(), "z");
  EXPECT_EQ(root.entries()[1].first.scalar(), "a");
  EXPECT_EQ(root.entries()[2].first.scalar(), "m");
  EXPECT_EQ(root.Find("nope"), nullptr);
}

TEST(YamlTest, NullIsDistinctFromEmptyString) {
  YamlNode root = MustParse("a:\nb: \"\"\nc: ''\nd: ~\ne: null\nf: plain\ng: 'quoted'\n");
  EXPECT_TRUE(root.Find("a")->IsNull());
  ASSERT_TRUE(root.Find("b")->IsScalar());
  EXPECT_EQ(root.Find("b")->scalar(), "");
  EXPECT_TRUE(root.Find("b")->quoted());
  ASSERT_TRUE(root.Find("c")->IsScalar());
  EXPECT_TRUE(root.Find("c")->quoted());
  EXPECT_TRUE(root.Find("d")->IsNull());
  EXPECT_TRUE(root.Find("e")->IsNull());
  EXPECT_FALSE(root.Find("f")->quoted());
  EXPECT_TRUE(root.Find("g")->quoted());
  EXPECT_EQ(root.Find("g")->scalar(), "quoted");
}

TEST(YamlTest, QuotedNullAndBooleanSpellingsStayStrings) {
  YamlNode root = MustParse("a: 'null'\nb: \"~\"\nc: !!str true\nd: true\n");
  ASSERT_TRUE(root.Find("a")->IsScalar());
  EXPECT_EQ(root.Find("a")->scalar(), "null");
  EXPECT_TRUE(root.Find("a")->quoted());
  ASSERT_TRUE(root.Find("b")->IsScalar());
  EXPECT_TRUE(root.Find("c")->quoted());
  EXPECT_FALSE(root.Find("d")->quoted());
}

TEST(YamlTest, EmptyValuePointsAtItsKeyExplicitNullAtItself) {
  // yaml-cpp reports an empty value at the next token (here line 2); the key is more useful.
  YamlNode root = MustParse("a:\nb: ~\n");
  ExpectMark(*root.Find("a"), 1, 1);
  ExpectMark(*root.Find("b"), 2, 4);
}

TEST(YamlTest, EmptySequenceItemPointsAtItsDash) {
  YamlNode root = MustParse("list:\n  - a\n  -\n  # comment\n\n  - b\n  - # trailing\n  - c\n");
  const YamlNode* list = root.Find("list");
  ASSERT_NE(list, nullptr);
  ASSERT_EQ(list->items().size(), 5u);
  EXPECT_TRUE(list->items()[1].IsNull());
  ExpectMark(list->items()[1], 3, 3);
  EXPECT_TRUE(list->items()[3].IsNull());
  ExpectMark(list->items()[3], 7, 3);
  ExpectMark(list->items()[4], 8, 5);
}

TEST(YamlTest, BlockScalarsKeepTheirText) {
  YamlNode root = MustParse("expr: |\n  up == 0\n  and on() vector(1)\n");
  ASSERT_TRUE(root.Find("expr")->IsScalar());
  EXPECT_EQ(root.Find("expr")->scalar(), "up == 0\nand on() vector(1)\n");
  ExpectMark(*root.Find("expr"), 1, 7);
}

TEST(YamlTest, AliasesAreResolved) {
  YamlNode root = MustParse("base: &b {x: 1, y: [2]}\ncopy: *b\nitems: [&v 7, *v]\n");
  const YamlNode* copy = root.Find("copy");
  ASSERT_NE(copy, nullptr);
  ASSERT_TRUE(copy->IsMap());
  ASSERT_NE(copy->Find("x"), nullptr);
  EXPECT_EQ(copy->Find("x")->scalar(), "1");
  ASSERT_TRUE(copy->Find("y")->IsSequence());
  EXPECT_EQ(copy->Find("y")->items()[0].scalar(), "2");
  const YamlNode* items = root.Find("items");
  ASSERT_EQ(items->items().size(), 2u);
  EXPECT_EQ(items->items()[1].scalar(), "7");
}

TEST(YamlTest, MergeKeysAddMissingEntriesOnly) {
  YamlNode root = MustParse(
      "base: &base {a: 1, b: 2}\n"
      "more: &more {b: 20, c: 30}\n"
      "one:\n  <<: *base\n  b: 3\n"
      "two: {<<: [*base, *more], d: 4}\n"
      "quoted: {'<<': x}\n");
  const YamlNode* one = root.Find("one");
  ASSERT_NE(one, nullptr);
  ASSERT_EQ(one->entries().size(), 2u);
  EXPECT_EQ(one->Find("a")->scalar(), "1");
  EXPECT_EQ(one->Find("b")->scalar(), "3");  // the map's own key wins
  EXPECT_EQ(one->Find("<<"), nullptr);
  const YamlNode* two = root.Find("two");
  ASSERT_EQ(two->entries().size(), 4u);
  EXPECT_EQ(two->Find("b")->scalar(), "2");  // the first merged map wins
  EXPECT_EQ(two->Find("c")->scalar(), "30");
  EXPECT_EQ(two->Find("d")->scalar(), "4");
  // A quoted "<<" is an ordinary key.
  EXPECT_EQ(root.Find("quoted")->Find("<<")->scalar(), "x");
}

TEST(YamlTest, MergeKeyOfAScalarIsAnError) {
  Result<YamlNode> r = ParseYaml("a:\n  <<: 5\n", "t.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "t.yml:2:7: a[\"<<\"]: a merge key takes a map or a list of maps");
}

TEST(YamlTest, ByteOrderMarkDoesNotShiftPositions) {
  YamlNode root = MustParse("\xEF\xBB\xBFlist:\n  -\n  - b\n");
  ExpectMark(root.entries()[0].first, 1, 1);
  ExpectMark(root.Find("list")->items()[0], 2, 3);
}

// Every config case cut at each structural character (where parser states change) must parse
// or fail cleanly: no crash, no exception, and a failure always carries a position.
TEST(YamlTest, TruncatedDocumentsFailCleanly) {
  namespace fs = std::filesystem;
  size_t parsed = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(TOCSIN_TEST_DATA_DIR) / "cases")) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (size_t n = 0; n <= text.size(); ++n) {
      if (n < text.size() &&
          std::string_view(":\n[]{}\"',-&*|").find(text[n]) == std::string::npos) {
        continue;
      }
      Result<YamlNode> r = ParseYaml(std::string_view(text).substr(0, n), "t.yml");
      if (!r.ok()) {
        EXPECT_TRUE(r.status().message().starts_with("t.yml:")) << r.status().message();
      }
      ++parsed;
    }
  }
  EXPECT_GT(parsed, 500u);
}

TEST(YamlTest, RecursiveAliasIsAnErrorNotACrash) {
  Result<YamlNode> r = ParseYaml("a: &x [*x]\n", "t.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "t.yml:1:8: recursive alias: an anchor cannot refer to itself");
}

TEST(YamlTest, AliasBombIsRejected) {
  // Each level multiplies the size by ten: level 9 would be a billion nodes.
  std::string text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) text += (j ? ", " : "") + prev;
    text += "]\n";
  }
  Result<YamlNode> r = ParseYaml(text, "t.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("aliases expand to too many nodes"), std::string::npos)
      << r.status().message();
}

TEST(YamlTest, DuplicateKeysAreAllReportedWithPathAndPosition) {
  Result<YamlNode> r = ParseYaml(
      "web:\n  listen_address: a:1\n  listen_address: b:2\nweb: {}\nlist:\n  - {k: 1, k: 2}\n",
      "t.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "t.yml:3:3: web.listen_address: duplicate key \"listen_address\" (first defined at "
            "line 2, column 3)\n"
            "t.yml:4:1: web: duplicate key \"web\" (first defined at line 1, column 1)\n"
            "t.yml:6:12: list[0].k: duplicate key \"k\" (first defined at line 6, column 6)");
}

TEST(YamlTest, SyntaxErrorCarriesPosition) {
  Result<YamlNode> r = ParseYaml("a: [1, 2\nb: 3\n", "bad.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "bad.yml:2:2: end of sequence flow not found");
}

TEST(YamlTest, EmptyAndCommentOnlyDocumentsAreNull) {
  for (std::string_view text : {"", "# just a comment\n", "---\n"}) {
    Result<YamlNode> r = ParseYaml(text, "t.yml");
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(r->IsNull()) << text;
  }
}

TEST(YamlTest, FurtherDocumentsAreIgnoredButReported) {
  bool more = false;
  Result<YamlNode> r = ParseYaml("a: 1\n---\nb: 2\n", "t.yml", &more);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(more);
  EXPECT_NE(r->Find("a"), nullptr);
  EXPECT_EQ(r->Find("b"), nullptr);

  ASSERT_TRUE(ParseYaml("a: 1\n", "t.yml", &more).ok());
  EXPECT_FALSE(more);
}

TEST(YamlTest, NonScalarKeysAreKept) {
  YamlNode root = MustParse("? [a, b]\n: 1\n");
  ASSERT_EQ(root.entries().size(), 1u);
  EXPECT_TRUE(root.entries()[0].first.IsSequence());
}

TEST(YamlTest, KeyPathsAreReadable) {
  EXPECT_EQ(JoinKeyPath("", "web"), "web");
  EXPECT_EQ(JoinKeyPath("web", "listen_address"), "web.listen_address");
  EXPECT_EQ(JoinIndexPath("rule_files", 3), "rule_files[3]");
  EXPECT_EQ(JoinKeyPath("global.external_labels", "a.b"), "global.external_labels[\"a.b\"]");
  EXPECT_EQ(JoinKeyPath("x", ""), "x[\"\"]");
}

TEST(YamlTest, BuildersMakeTheKindTheySay) {
  YamlNode s = YamlNode::Scalar("v", true, {3, 4});
  EXPECT_TRUE(s.IsScalar());
  EXPECT_TRUE(s.quoted());
  ExpectMark(s, 3, 4);
  EXPECT_TRUE(YamlNode::Sequence({s}, {1, 1}).IsSequence());
  EXPECT_TRUE(YamlNode::Map({{s, s}}, {1, 1}).IsMap());
  EXPECT_EQ(YamlNode::Map({{s, s}}, {1, 1}).Find("v")->scalar(), "v");
  EXPECT_TRUE(YamlNode::Null({1, 1}).IsNull());
}

}  // namespace
}  // namespace tocsin
