// Routing parity with the real Alertmanager: for each configuration of the corpus
// (testdata/am_corpus: the Alertmanager docs' example, kube-prometheus's and scylla-monitoring's
// shapes, the HA example), tocsin loads the file unchanged through `alerting.config_file`, and for
// generated label sets the receivers its route tree picks equal, in order, what
// `amtool config routes test --config.file=FILE label=value...` (Alertmanager 0.25) prints.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "agent/config/loader.h"
#include "agent/core/labels.h"
#include "notifiers/route.h"
#include "tests/notifiers/test_util.h"

namespace tocsin {
namespace {

const char* kCorpusDir = TOCSIN_TEST_DATA_DIR "/testdata/am_corpus";
constexpr const char* kAmtool = "/usr/bin/amtool";
constexpr int kLabelSetsPerFile = 40;

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// amtool's answer: its first stdout line ("recv1,recv2").
std::string AmtoolReceivers(const std::string& file, const std::vector<Label>& labels) {
  std::string cmd = std::string(kAmtool) + " config routes test --config.file=" + ShellQuote(file);
  for (const Label& l : labels) cmd += " " + ShellQuote(l.name + "=" + l.value);
  cmd += " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return "<popen failed>";
  std::string out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
  int rc = ::pclose(p);
  if (rc != 0) return "<amtool exit " + std::to_string(rc) + ">";
  return out.substr(0, out.find('\n'));
}

// Candidate values for every label a matcher of the tree names: the matcher's value, each
// alternative of a regex, and values no matcher expects.
void CollectCandidates(const RouteConfig& r, std::map<std::string, std::set<std::string>>& out) {
  for (const LabelMatcher& m : r.matchers) {
    auto& values = out[m.name()];
    std::string v = m.value();
    if (m.op() == MatchOp::kRegexMatch || m.op() == MatchOp::kRegexNoMatch) {
      std::string stripped;
      for (char c : v) {
        if (c != '^' && c != '$' && c != '(' && c != ')') stripped += c;
      }
      size_t start = 0;
      while (start <= stripped.size()) {
        size_t bar = stripped.find('|', start);
        std::string alt = stripped.substr(start, bar == std::string::npos ? bar : bar - start);
        if (alt.ends_with(".*")) alt = alt.substr(0, alt.size() - 2) + "east";
        values.insert(alt);
        if (bar == std::string::npos) break;
        start = bar + 1;
      }
    } else {
      values.insert(v);
    }
    values.insert("other");
  }
  for (const RouteConfig& c : r.routes) CollectCandidates(c, out);
}

std::vector<std::vector<Label>> GenerateLabelSets(const RouteConfig& root, uint32_t seed) {
  std::map<std::string, std::set<std::string>> candidates;
  CollectCandidates(root, candidates);
  candidates["alertname"].insert("HighLatency");
  std::mt19937 rng(seed);
  std::vector<std::vector<Label>> sets;
  for (int i = 0; i < kLabelSetsPerFile; ++i) {
    std::vector<Label> labels;
    for (const auto& [name, values] : candidates) {
      if (rng() % 3 == 0) continue;  // absent labels read as "" in matchers
      auto it = values.begin();
      std::advance(it, rng() % values.size());
      if (it->empty()) continue;
      labels.push_back({name, *it});
    }
    if (labels.empty()) labels.push_back({"alertname", "HighLatency"});
    sets.push_back(std::move(labels));
  }
  return sets;
}

std::vector<std::string> CorpusFiles() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(kCorpusDir)) {
    if (e.path().extension() == ".yml") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Result<Config> LoadThroughConfigFile(const std::string& am_file) {
  std::string dir = testing::TempDir("am-parity");
  std::string yaml = "alerting:\n  config_file: " + am_file + "\n";
  return LoadConfigString(yaml, dir + "/tocsin.yml");
}

TEST(NotifiersAmRoutingParity, CorpusIsValidForAmtool) {
  ASSERT_TRUE(std::filesystem::exists(kAmtool)) << "amtool (prometheus-alertmanager) missing";
  for (const std::string& f : CorpusFiles()) {
    std::string cmd = std::string(kAmtool) + " check-config " + ShellQuote(f) + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << f;
  }
}

// Corpus files that use Alertmanager features tocsin does not implement yet, with the keys it
// refuses. Each must fail with exactly these "does not implement" errors (and no other): when a
// feature lands, its file starts loading and this list must shrink.
const std::map<std::string, std::vector<std::string>>& KnownGaps() {
  static const std::map<std::string, std::vector<std::string>> gaps = {};
  return gaps;
}

TEST(NotifiersAmRoutingParity, EveryCorpusFileLoadsUnchanged) {
  for (const std::string& f : CorpusFiles()) {
    Result<Config> c = LoadThroughConfigFile(f);
    auto gap = KnownGaps().find(std::filesystem::path(f).filename().string());
    if (gap == KnownGaps().end()) {
      EXPECT_TRUE(c.ok()) << f << ":\n" << c.status().ToString();
      continue;
    }
    ASSERT_FALSE(c.ok()) << f << " loads now: remove it from KnownGaps";
    std::set<std::string> refused;
    std::string message = c.status().message();
    for (size_t start = 0; start < message.size();) {
      size_t end = message.find('\n', start);
      std::string line = message.substr(start, end == std::string::npos ? end : end - start);
      size_t q = line.find(": \"");
      EXPECT_NE(line.find("is an Alertmanager setting tocsin does not implement"),
                std::string::npos)
          << line;
      if (q != std::string::npos) refused.insert(line.substr(q + 3, line.find('"', q + 3) - q - 3));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    EXPECT_EQ(refused, std::set<std::string>(gap->second.begin(), gap->second.end())) << f;
  }
}

TEST(NotifiersAmRoutingParity, ReceiversEqualAmtool) {
  ASSERT_TRUE(std::filesystem::exists(kAmtool)) << "amtool (prometheus-alertmanager) missing";
  size_t compared = 0;
  for (const std::string& f : CorpusFiles()) {
    Result<Config> c = LoadThroughConfigFile(f);
    if (!c.ok()) continue;  // reported by EveryCorpusFileLoadsUnchanged
    auto route = Route::Build(c->alerting.route);
    ASSERT_TRUE(route.ok()) << f << ": " << route.status().ToString();
    uint32_t seed = static_cast<uint32_t>(
        std::hash<std::string>()(std::filesystem::path(f).filename().string()));
    for (const std::vector<Label>& labels : GenerateLabelSets(c->alerting.route, seed)) {
      std::string ours;
      for (const Route* r : (*route)->Match(Labels::FromSorted(labels))) {
        ours += (ours.empty() ? "" : ",") + r->opts().receiver;
      }
      std::string printed;
      for (const Label& l : labels) printed += l.name + "=" + l.value + " ";
      EXPECT_EQ(ours, AmtoolReceivers(f, labels)) << f << ": " << printed;
      ++compared;
    }
  }
  EXPECT_GE(compared, 3u * kLabelSetsPerFile);
}

}  // namespace
}  // namespace tocsin
