#include "agent/core/regex.h"

#include <re2/re2.h>

#include <cctype>

namespace tocsin {
namespace {

bool IsLiteralPattern(std::string_view p) {
  for (char c : p) {
    if (std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos) return false;
  }
  return true;
}

// Go's regexp.Expand: "$name" takes the longest run of [A-Za-z0-9_]; "${name}" is explicit;
// "$$" is a literal dollar; a number names a group by index; unknown names expand to "".
void Expand(const re2::RE2& re, std::string_view tmpl, const std::vector<re2::StringPiece>& groups,
            std::string& out) {
  const auto& names = re.NamedCapturingGroups();
  auto lookup = [&](std::string_view name) -> std::string_view {
    if (name.empty()) return {};
    bool numeric = true;
    for (char c : name) numeric = numeric && std::isdigit(static_cast<unsigned char>(c));
    if (numeric) {
      if (name.size() > 9) return {};
      size_t idx = std::stoul(std::string(name));
      if (idx < groups.size() && groups[idx].data() != nullptr) {
        return {groups[idx].data(), groups[idx].size()};
      }
      return {};
    }
    auto it = names.find(std::string(name));
    if (it != names.end() && static_cast<size_t>(it->second) < groups.size() &&
        groups[it->second].data() != nullptr) {
      return {groups[it->second].data(), groups[it->second].size()};
    }
    return {};
  };
  size_t i = 0;
  while (i < tmpl.size()) {
    char c = tmpl[i];
    if (c != '$' || i + 1 >= tmpl.size()) {
      out += c;
      ++i;
      continue;
    }
    char n = tmpl[i + 1];
    if (n == '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (n == '{') {
      size_t close = tmpl.find('}', i + 2);
      std::string_view name =
          close == std::string_view::npos ? std::string_view() : tmpl.substr(i + 2, close - i - 2);
      bool valid = close != std::string_view::npos && !name.empty();
      for (char ch : name)
        valid = valid && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_');
      if (!valid) {  // malformed: Go copies the "$" literally
        out += '$';
        ++i;
        continue;
      }
      out += lookup(name);
      i = close + 1;
      continue;
    }
    size_t j = i + 1;
    while (j < tmpl.size() && (std::isalnum(static_cast<unsigned char>(tmpl[j])) || tmpl[j] == '_'))
      ++j;
    if (j == i + 1) {
      out += '$';
      ++i;
      continue;
    }
    out += lookup(tmpl.substr(i + 1, j - i - 1));
    i = j;
  }
}

}  // namespace

Result<Regex> Regex::Compile(std::string_view pattern, Anchoring anchoring) {
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_dot_nl(true);  // Prometheus 3: `.` matches newline
  std::string wrapped =
      anchoring == Anchoring::kFull ? "^(?:" + std::string(pattern) + ")$" : std::string(pattern);
  auto re = std::make_shared<re2::RE2>(wrapped, opts);
  if (!re->ok()) {
    return InvalidArgument("error parsing regexp: " + re->error() + ": `" + std::string(pattern) +
                           "`");
  }
  Regex r;
  r.pattern_ = std::string(pattern);
  r.is_literal_ = anchoring == Anchoring::kFull && IsLiteralPattern(pattern);
  r.re_ = std::move(re);
  return r;
}

bool Regex::Matches(std::string_view text) const {
  if (is_literal_) return text == pattern_;
  return re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

bool Regex::FullMatchGroups(std::string_view text, std::vector<std::string>& groups) const {
  int n = re_->NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> pieces(n);
  re2::StringPiece input(text.data(), text.size());
  if (!re_->Match(input, 0, input.size(), re2::RE2::UNANCHORED, pieces.data(), n)) return false;
  groups.clear();
  for (const auto& p : pieces) groups.emplace_back(p.data() ? std::string(p.data(), p.size()) : "");
  return true;
}

bool Regex::ExpandFullMatch(std::string_view text, std::string_view replacement,
                            std::string& out) const {
  int n = re_->NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> pieces(n);
  re2::StringPiece input(text.data(), text.size());
  if (!re_->Match(input, 0, input.size(), re2::RE2::UNANCHORED, pieces.data(), n)) return false;
  out.clear();
  Expand(*re_, replacement, pieces, out);
  return true;
}

std::string Regex::ReplaceAll(std::string_view text, std::string_view replacement) const {
  int n = re_->NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> pieces(n);
  re2::StringPiece input(text.data(), text.size());
  std::string out;
  size_t pos = 0;
  size_t last_match_end = std::string_view::npos;
  while (pos <= input.size()) {
    if (!re_->Match(input, pos, input.size(), re2::RE2::UNANCHORED, pieces.data(), n)) break;
    size_t start = pieces[0].data() - input.data();
    size_t end = start + pieces[0].size();
    // Go skips an empty match right after a previous match.
    if (pieces[0].empty() && start == last_match_end) {
      if (start >= input.size()) break;
      out += input[start];
      pos = start + 1;
      continue;
    }
    out.append(input.data() + pos, start - pos);
    Expand(*re_, replacement, pieces, out);
    last_match_end = end;
    if (end == start) {
      if (start < input.size()) out += input[start];
      pos = start + 1;
    } else {
      pos = end;
    }
  }
  if (pos < input.size()) out.append(input.data() + pos, input.size() - pos);
  return out;
}

}  // namespace tocsin
