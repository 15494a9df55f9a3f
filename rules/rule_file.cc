#include "rules/rule_file.h"

#include <fnmatch.h>
#include <glob.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "agent/core/duration.h"
#include "agent/core/labels.h"
#include "rules/builtin_packs.h"
#include "rules/template/lexer.h"
#include "rules/template/parser.h"
#include "rules/yaml_decode.h"

namespace tocsin::rules {
namespace {

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 9;
    if (n == 9 || i + n >= s.size() + (n == 0 ? 1 : 0)) {
      if (n != 0) return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

std::string Pos(const YamlMark* m) {
  if (m == nullptr) return "0:0";
  return std::to_string(m->line) + ":" + std::to_string(m->column);
}

struct RuleNodes {
  const YamlNode* record = nullptr;
  const YamlNode* alert = nullptr;
  const YamlNode* expr = nullptr;
};

// One rule error before formatting: positions as promtool prints them.
struct RuleError {
  std::string positions;  // "", "L:C: " or "L:C: L:C: "
  std::string message;
};

void ValidateRule(const std::string& record, const std::string& alert, const RuleSpec& r,
                  const RuleNodes& nodes, bool has_for, bool has_keep,
                  const std::string& expr_error, std::vector<RuleError>& out) {
  const YamlMark* rec = nodes.record ? &nodes.record->mark() : nullptr;
  const YamlMark* alt = nodes.alert ? &nodes.alert->mark() : nullptr;
  const YamlMark* exp = nodes.expr ? &nodes.expr->mark() : nullptr;
  if (!record.empty() && !alert.empty()) {
    out.push_back(
        {Pos(rec) + ": " + Pos(alt) + ": ", "only one of 'record' and 'alert' must be set"});
  }
  if (record.empty() && alert.empty()) {
    out.push_back({Pos(rec) + ": ", "one of 'record' or 'alert' must be set"});
  }
  if (r.expr_text.empty()) {
    out.push_back({Pos(exp) + ": ", "field 'expr' must be set in rule"});
  } else if (!expr_error.empty()) {
    out.push_back({Pos(exp) + ": ", "could not parse expression: " + expr_error});
  }
  if (!record.empty()) {
    if (!r.annotations.empty()) {
      out.push_back({Pos(rec) + ": ", "invalid field 'annotations' in recording rule"});
    }
    if (has_for) out.push_back({Pos(rec) + ": ", "invalid field 'for' in recording rule"});
    if (has_keep) {
      out.push_back({Pos(rec) + ": ", "invalid field 'keep_firing_for' in recording rule"});
    }
    if (!IsValidMetricName(record)) {
      out.push_back({Pos(rec) + ": ", "invalid recording rule name: " + record});
    }
    if (record.find_first_of("{}") != std::string::npos) {
      out.push_back(
          {Pos(rec) + ": ",
           "braces present in the recording rule name; should it be in expr?: " + record});
    }
  }
  for (const auto& l : r.labels) {
    if (!IsValidLabelName(l.name) || l.name == kMetricNameLabel) {
      out.push_back({"", "invalid label name: " + l.name});
    }
    if (!IsValidUtf8(l.text)) out.push_back({"", "invalid label value: " + l.text});
  }
  for (const auto& a : r.annotations) {
    if (!IsValidLabelName(a.name)) out.push_back({"", "invalid annotation name: " + a.name});
  }
}

}  // namespace

size_t RuleFile::RuleCount() const {
  size_t n = 0;
  for (const auto& g : groups) n += g.rules.size();
  return n;
}

RuleFileLoad ParseRuleFile(std::string_view text, std::string_view source,
                           bool ignore_unknown_fields) {
  RuleFileLoad load;
  load.file.source = std::string(source);
  const std::string prefix = std::string(source) + ": ";
  auto parsed = ParseYaml(text, source);
  if (!parsed.ok()) {
    load.errors.push_back(parsed.status().message());
    return load;
  }
  const YamlNode& root = *parsed;
  YamlDecoder dec;

  // Pass 1: structure, types and unknown keys (Go's strict yaml decoding).
  struct PendingRule {
    RuleSpec spec;
    RuleNodes nodes;
    bool has_for = false;
    bool has_keep = false;
  };
  struct PendingGroup {
    GroupSpec spec;
    const YamlNode* node;
    std::vector<PendingRule> rules;
  };
  std::vector<PendingGroup> groups;

  if (dec.ExpectMap(root, "rulefmt.RuleGroups")) {
    for (const auto& [key, value] : root.entries()) {
      if (key.scalar() != "groups") {
        if (!ignore_unknown_fields) dec.UnknownField(key, "rulefmt.RuleGroups");
        continue;
      }
      if (!dec.ExpectSeq(value, "[]rulefmt.RuleGroup")) continue;
      for (const YamlNode& gnode : value.items()) {
        if (!dec.ExpectMap(gnode, "rulefmt.RuleGroup")) continue;
        PendingGroup g;
        g.node = &gnode;
        for (const auto& [gk, gv] : gnode.entries()) {
          const std::string& k = gk.scalar();
          if (k == "name") {
            dec.String(gv, g.spec.name);
          } else if (k == "interval") {
            std::chrono::milliseconds d{0};
            if (dec.Duration(gv, d)) g.spec.interval = d;
          } else if (k == "query_offset") {
            std::chrono::milliseconds d{0};
            if (dec.Duration(gv, d)) g.spec.query_offset = d;
          } else if (k == "limit") {
            dec.Int(gv, g.spec.limit);
          } else if (k == "labels") {
            dec.StringMap(gv, g.spec.labels);
          } else if (k == "rules") {
            if (!dec.ExpectSeq(gv, "[]rulefmt.RuleNode")) continue;
            for (const YamlNode& rnode : gv.items()) {
              if (!dec.ExpectMap(rnode, "rulefmt.RuleNode")) continue;
              PendingRule r;
              std::string record, alert;
              std::vector<std::pair<std::string, std::string>> labels, annotations;
              for (const auto& [rk, rv] : rnode.entries()) {
                const std::string& f = rk.scalar();
                if (f == "record") {
                  dec.String(rv, record);
                  r.nodes.record = &rv;
                } else if (f == "alert") {
                  dec.String(rv, alert);
                  r.nodes.alert = &rv;
                } else if (f == "expr") {
                  dec.String(rv, r.spec.expr_text);
                  r.nodes.expr = &rv;
                } else if (f == "for") {
                  if (dec.Duration(rv, r.spec.for_duration)) {
                    r.has_for = r.spec.for_duration.count() != 0;
                  }
                } else if (f == "keep_firing_for") {
                  if (dec.Duration(rv, r.spec.keep_firing_for)) {
                    r.has_keep = r.spec.keep_firing_for.count() != 0;
                  }
                } else if (f == "labels") {
                  dec.StringMap(rv, labels);
                } else if (f == "annotations") {
                  dec.StringMap(rv, annotations);
                } else {
                  if (!ignore_unknown_fields) dec.UnknownField(rk, "rulefmt.RuleNode");
                }
              }
              r.spec.kind = alert.empty() ? RuleSpec::Kind::kRecording : RuleSpec::Kind::kAlerting;
              r.spec.name = alert.empty() ? record : alert;
              for (auto& [n, v] : labels) r.spec.labels.push_back({n, v, nullptr});
              for (auto& [n, v] : annotations) r.spec.annotations.push_back({n, v, nullptr});
              g.rules.push_back(std::move(r));
            }
          } else {
            if (!ignore_unknown_fields) dec.UnknownField(gk, "rulefmt.RuleGroup");
          }
        }
        groups.push_back(std::move(g));
      }
    }
  }
  if (!dec.ok()) {
    load.errors.push_back(prefix + dec.Message());
    return load;
  }

  // Pass 2: semantic validation, in rulefmt's order.
  std::set<std::string> seen;
  for (auto& g : groups) {
    if (g.spec.name.empty()) {
      load.errors.push_back(prefix + Pos(&g.node->mark()) + ": Groupname must not be empty");
    }
    if (seen.count(g.spec.name)) {
      load.errors.push_back(prefix + Pos(&g.node->mark()) + ": groupname: \"" + g.spec.name +
                            "\" is repeated in the same file");
    }
    seen.insert(g.spec.name);
    for (const auto& [n, v] : g.spec.labels) {
      if (!IsValidLabelName(n) || n == kMetricNameLabel) {
        load.errors.push_back(prefix + "invalid label name: " + n);
      }
      if (!IsValidUtf8(v)) load.errors.push_back(prefix + "invalid label value: " + v);
    }
    for (size_t i = 0; i < g.rules.size(); ++i) {
      PendingRule& r = g.rules[i];
      std::string expr_error;
      if (!r.spec.expr_text.empty()) {
        auto e = promql::Parse(r.spec.expr_text);
        if (e.ok()) {
          r.spec.expr = *e;
        } else {
          expr_error = e.status().message();
        }
      }
      std::string record = r.nodes.record ? r.nodes.record->scalar() : "";
      std::string alert = r.nodes.alert ? r.nodes.alert->scalar() : "";
      std::vector<RuleError> errs;
      ValidateRule(record, alert, r.spec, r.nodes, r.has_for, r.has_keep, expr_error, errs);
      // Templates of alerting rules are test-parsed.
      if (!alert.empty()) {
        for (auto& l : r.spec.labels) {
          auto t = tmpl::ParseAlertTemplate(l.text, alert);
          if (t.ok()) {
            l.tmpl = std::make_shared<const tmpl::Tree>(std::move(t).value());
          } else {
            errs.push_back({"", "label " + tmpl::GoQuote(l.name) + ": " + t.status().message()});
          }
        }
        for (auto& a : r.spec.annotations) {
          auto t = tmpl::ParseAlertTemplate(a.text, alert);
          if (t.ok()) {
            a.tmpl = std::make_shared<const tmpl::Tree>(std::move(t).value());
          } else {
            errs.push_back(
                {"", "annotation " + tmpl::GoQuote(a.name) + ": " + t.status().message()});
          }
        }
      }
      const std::string& rule_name = !alert.empty() ? alert : record;
      for (const auto& e : errs) {
        // rulefmt prints both names with %q, so quotes and control characters come escaped.
        load.errors.push_back(prefix + e.positions + "group " + tmpl::GoQuote(g.spec.name) +
                              ", rule " + std::to_string(i + 1) + ", " + tmpl::GoQuote(rule_name) +
                              ": " + e.message);
      }
      g.spec.rules.push_back(std::move(r.spec));
    }
    load.file.groups.push_back(std::move(g.spec));
  }
  return load;
}

RuleFileLoad LoadRuleFile(const std::string& path, bool ignore_unknown_fields) {
  if (std::string_view(path).starts_with(kBuiltInRulePackPrefix)) {
    std::optional<std::string_view> text =
        BuiltInRulePackText(std::string_view(path).substr(kBuiltInRulePackPrefix.size()));
    if (text) return ParseRuleFile(*text, path, ignore_unknown_fields);
    RuleFileLoad load;
    load.file.source = path;
    load.errors.push_back(path + ": no such built-in rule pack");
    return load;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    RuleFileLoad load;
    load.file.source = path;
    load.errors.push_back(path + ": open " + path + ": no such file or directory");
    return load;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseRuleFile(ss.str(), path, ignore_unknown_fields);
}

std::string DuplicateRulesLint(const RuleFile& file) {
  using Key = std::pair<std::string, std::vector<std::pair<std::string, std::string>>>;
  std::vector<Key> keys;
  for (const auto& g : file.groups) {
    for (const auto& r : g.rules) {
      std::map<std::string, std::string> labels;
      for (const auto& l : r.labels) labels[l.name] = l.text;
      keys.push_back({r.name, {labels.begin(), labels.end()}});
    }
  }
  if (keys.size() < 2) return "";
  std::sort(keys.begin(), keys.end());
  std::vector<Key> dups;
  for (size_t i = 1; i < keys.size(); ++i) {
    if (keys[i] == keys[i - 1] && (dups.empty() || dups.back() != keys[i])) {
      dups.push_back(keys[i]);
    }
  }
  if (dups.empty()) return "";
  std::string msg = "lint error " + std::to_string(dups.size()) + " duplicate rule(s) found.\n";
  for (const auto& d : dups) {
    msg += "Metric: " + d.first + "\nLabel(s):\n";
    for (const auto& [n, v] : d.second) msg += "\t" + n + ": " + v + "\n";
  }
  msg += "Might cause inconsistency while recording expressions";
  return msg;
}

Result<std::vector<std::string>> ExpandRuleFileGlobs(const std::vector<std::string>& patterns) {
  std::set<std::string> files;
  std::set<std::string> builtin;  // pack names, without the prefix
  for (const auto& p : patterns) {
    if (std::string_view(p).starts_with(kBuiltInRulePackPrefix)) {
      const std::string name = p.substr(kBuiltInRulePackPrefix.size());
      bool matched = false;
      for (const BuiltInRulePack& pack : BuiltInRulePacks()) {
        if (::fnmatch(name.c_str(), std::string(pack.name).c_str(), FNM_PATHNAME) == 0) {
          builtin.insert(std::string(pack.name));
          matched = true;
        }
      }
      if (!matched) {
        std::string known;
        for (const BuiltInRulePack& pack : BuiltInRulePacks()) {
          known += (known.empty() ? "" : ", ") + std::string(kBuiltInRulePackPrefix) +
                   std::string(pack.name);
        }
        return InvalidArgument("rule_files: no built-in rule pack matches \"" + p +
                               "\" (built-in: " + known + ")");
      }
      continue;
    }
    glob_t g{};
    int rc = ::glob(p.c_str(), GLOB_NOSORT, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) files.insert(g.gl_pathv[i]);
    } else if (rc != GLOB_NOMATCH) {
      ::globfree(&g);
      return InvalidArgument("rule_files: cannot expand \"" + p + "\"");
    }
    ::globfree(&g);
  }
  // A file on disk with a pack's file name replaces the pack (e.g. an edited copy in
  // /etc/tocsin/rules/node.yml), so that the same rules never load twice.
  for (const auto& f : files) {
    const size_t slash = f.rfind('/');
    builtin.erase(slash == std::string::npos ? f : f.substr(slash + 1));
  }
  std::vector<std::string> out(files.begin(), files.end());
  for (const auto& name : builtin) out.push_back(std::string(kBuiltInRulePackPrefix) + name);
  return out;
}

}  // namespace tocsin::rules
