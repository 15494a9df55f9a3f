#include "collectors/system/mdadm.h"

#include <string>
#include <vector>

#include "agent/core/regex.h"
#include "collectors/system/go_float.h"
#include "collectors/system/go_strconv.h"
#include "collectors/system/proc_file.h"

namespace tocsin::system {
namespace {

// procfs' unanchored regexps as full matches: a lazy prefix finds the leftmost match, the
// groups keep Go's leftmost-first priorities.
const Regex& Re(int which) {
  static const std::vector<Regex> kRes = [] {
    std::vector<Regex> v;
    for (const char* p : {
             R"(.*?(\d+) blocks .*\[(\d+)/(\d+)\] \[([U_]+)\].*)",  // statusLineRE
             R"(.*?\((\d+)/\d+\).*)",                               // recoveryLineBlocksRE
             R"(.*?= (.+)%.*)",                                     // recoveryLinePctRE
             R"(.*?finish=(.+)min.*)",                              // recoveryLineFinishRE
             R"(.*?speed=(.+)[A-Z].*)",                             // recoveryLineSpeedRE
         }) {
      v.push_back(std::move(Regex::Compile(p)).value());
    }
    return v;
  }();
  return kRes[static_cast<size_t>(which)];
}
enum { kStatusRe, kBlocksRe, kPctRe, kFinishRe, kSpeedRe };

struct Md {
  std::string name, state;
  int64_t active = 0, total = 0, failed = 0, spare = 0, size = 0, synced = 0;
};

// strings.Fields for ASCII whitespace.
std::vector<std::string_view> Fields(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
  };
  while (i < s.size()) {
    while (i < s.size() && space(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !space(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

int64_t Count(std::string_view s, std::string_view sub) {
  int64_t n = 0;
  for (size_t p = s.find(sub); p != std::string_view::npos; p = s.find(sub, p + sub.size())) ++n;
  return n;
}

bool Contains(std::string_view s, std::string_view sub) {
  return s.find(sub) != std::string_view::npos;
}

Status Bad(std::string_view what, std::string_view line) {
  return InvalidArgument("mdstat: " + std::string(what) + ": " + std::string(line));
}

// evalStatusLine.
Status EvalStatusLine(std::string_view device_line, std::string_view status_line, Md& md) {
  std::vector<std::string_view> fields = Fields(status_line);
  if (fields.empty()) return Bad("unexpected status line", status_line);
  std::optional<int64_t> size = GoParseInt(fields[0], 10);
  if (!size) return Bad("unexpected status line", status_line);
  md.size = *size;
  if (Contains(device_line, "raid0") || Contains(device_line, "linear")) {
    md.total = md.active = Count(device_line, "[");
    return Status::Ok();
  }
  if (Contains(device_line, "inactive")) return Status::Ok();
  std::vector<std::string> groups;
  if (!Re(kStatusRe).FullMatchGroups(status_line, groups)) {
    return Bad("couldn't find all the substring matches", status_line);
  }
  std::optional<int64_t> total = GoParseInt(groups[2], 10);
  std::optional<int64_t> active = GoParseInt(groups[3], 10);
  if (!total || !active) return Bad("unexpected status line", status_line);
  md.total = *total;
  md.active = *active;
  return Status::Ok();
}

// evalRecoveryLine: only the synced blocks are exported, but every part must parse.
Status EvalRecoveryLine(std::string_view line, int64_t& synced) {
  std::vector<std::string> g;
  if (!Re(kBlocksRe).FullMatchGroups(line, g)) return Bad("unexpected recovery line", line);
  std::optional<int64_t> blocks = GoParseInt(g[1], 10);
  if (!blocks) return Bad("bad synced blocks", line);
  synced = *blocks;
  if (!Re(kPctRe).FullMatchGroups(line, g) || !GoParseFloat(GoTrimSpace(g[1]))) {
    return Bad("bad percentage", line);
  }
  if (!Re(kFinishRe).FullMatchGroups(line, g) || !GoParseFloat(g[1])) {
    return Bad("bad finish time", line);
  }
  if (!Re(kSpeedRe).FullMatchGroups(line, g) || !GoParseFloat(g[1])) {
    return Bad("bad speed", line);
  }
  return Status::Ok();
}

}  // namespace

Status ParseMdstat(std::string_view text, SampleSink& sink) {
  std::vector<std::string_view> lines;  // strings.Split(data, "\n")
  for (size_t start = 0;;) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  std::vector<Md> mds;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (Fields(line).empty() || line[0] == ' ' || line.starts_with("Personalities") ||
        line.starts_with("unused")) {
      continue;
    }
    std::vector<std::string_view> fields = Fields(line);
    if (fields.size() < 3) return Bad("not enough fields in md line (expected at least 3)", line);
    Md md;
    md.name = std::string(fields[0]);
    md.state = std::string(fields[2]);
    if (lines.size() <= i + 3) return Bad("too few lines for md device", md.name);
    md.failed = Count(line, "(F)");
    md.spare = Count(line, "(S)");
    Status st = EvalStatusLine(line, lines[i + 1], md);
    if (!st.ok()) return st;
    size_t sync_idx = i + 2;
    if (Contains(lines[i + 2], "bitmap")) ++sync_idx;
    std::string_view sync = lines[sync_idx];
    md.synced = md.size;
    bool recovering = Contains(sync, "recovery");
    bool resyncing = Contains(sync, "resync");
    bool checking = Contains(sync, "check");
    if (recovering || resyncing || checking) {
      md.state = recovering ? "recovering" : checking ? "checking" : "resyncing";
      if (Contains(sync, "PENDING") || Contains(sync, "DELAYED")) {
        md.synced = 0;
      } else {
        st = EvalRecoveryLine(sync, md.synced);
        if (!st.ok()) return st;
      }
    }
    mds.push_back(std::move(md));
  }

  sink.Family("node_md_disks_required", MetricType::kGauge, "Total number of disks of device.");
  sink.Family("node_md_disks", MetricType::kGauge,
              "Number of active/failed/spare disks of device.");
  sink.Family("node_md_state", MetricType::kGauge, "Indicates the state of md-device.");
  sink.Family("node_md_blocks", MetricType::kGauge, "Total number of blocks on device.");
  sink.Family("node_md_blocks_synced", MetricType::kGauge, "Number of blocks synced on device.");
  for (const Md& md : mds) {
    auto d = [&](int64_t v) { return static_cast<double>(v); };
    sink.Add("node_md_disks_required", {{"device", md.name}}, d(md.total));
    sink.Add("node_md_disks", {{"device", md.name}, {"state", "active"}}, d(md.active));
    sink.Add("node_md_disks", {{"device", md.name}, {"state", "failed"}}, d(md.failed));
    sink.Add("node_md_disks", {{"device", md.name}, {"state", "spare"}}, d(md.spare));
    // The exported state names and the parser's activity states they test.
    for (auto [label, state] : {std::pair{"active", "active"}, std::pair{"inactive", "inactive"},
                                std::pair{"recovering", "recovering"},
                                std::pair{"resync", "resyncing"}, std::pair{"check", "checking"}}) {
      sink.Add("node_md_state", {{"device", md.name}, {"state", label}}, md.state == state ? 1 : 0);
    }
    sink.Add("node_md_blocks", {{"device", md.name}}, d(md.size));
    sink.Add("node_md_blocks_synced", {{"device", md.name}}, d(md.synced));
  }
  return Status::Ok();
}

}  // namespace tocsin::system
