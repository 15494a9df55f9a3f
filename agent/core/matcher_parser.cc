#include "agent/core/matcher_parser.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "agent/core/labels.h"

namespace tocsin {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

Result<std::string> Unquote(std::string_view q) {
  std::string out;
  for (size_t i = 1; i + 1 < q.size(); ++i) {
    char c = q[i];
    if (c == '"') return InvalidArgument("unexpected '\"' inside quoted value");
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i + 1 >= q.size()) return InvalidArgument("dangling backslash in quoted value");
    switch (q[i]) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case '\\':
      case '"':
      case '\'':
        out += q[i];
        break;
      default:
        return InvalidArgument(std::string("unknown escape \\") + q[i] + " in quoted value");
    }
  }
  return out;
}

// Splits on commas outside double quotes.
Result<std::vector<std::string_view>> SplitTopLevel(std::string_view s) {
  std::vector<std::string_view> parts;
  bool in_quotes = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (in_quotes && s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      in_quotes = !in_quotes;
    } else if (!in_quotes && s[i] == ',') {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  if (in_quotes) return InvalidArgument("unterminated quoted value");
  parts.push_back(s.substr(start));
  return parts;
}

}  // namespace

Result<LabelMatcher> ParseMatcher(std::string_view text) {
  std::string_view s = Trim(text);
  size_t name_end = 0;
  while (name_end < s.size() && (std::isalnum(static_cast<unsigned char>(s[name_end])) ||
                                 s[name_end] == '_' || s[name_end] == ':')) {
    ++name_end;
  }
  std::string name(s.substr(0, name_end));
  if (name.empty() || !IsValidLabelName(name)) {
    return InvalidArgument("bad matcher \"" + std::string(text) +
                           "\": expected a label name followed by =, !=, =~ or !~");
  }
  std::string_view rest = Trim(s.substr(name_end));
  MatchOp op;
  if (rest.starts_with("=~")) {
    op = MatchOp::kRegexMatch;
    rest.remove_prefix(2);
  } else if (rest.starts_with("!~")) {
    op = MatchOp::kRegexNoMatch;
    rest.remove_prefix(2);
  } else if (rest.starts_with("!=")) {
    op = MatchOp::kNotEqual;
    rest.remove_prefix(2);
  } else if (rest.starts_with("=")) {
    op = MatchOp::kEqual;
    rest.remove_prefix(1);
  } else {
    return InvalidArgument("bad matcher \"" + std::string(text) +
                           "\": expected =, !=, =~ or !~ after the label name");
  }
  rest = Trim(rest);
  std::string value;
  if (!rest.empty() && rest.front() == '"') {
    if (rest.size() < 2 || rest.back() != '"') {
      return InvalidArgument("bad matcher \"" + std::string(text) + "\": unterminated quote");
    }
    Result<std::string> unq = Unquote(rest);
    if (!unq.ok()) {
      return InvalidArgument("bad matcher \"" + std::string(text) +
                             "\": " + unq.status().message());
    }
    value = std::move(unq).value();
  } else {
    if (rest.find_first_of("\"={},") != std::string_view::npos) {
      return InvalidArgument("bad matcher \"" + std::string(text) +
                             "\": a value containing any of \" = { } , must be quoted");
    }
    value = std::string(rest);
  }
  Result<LabelMatcher> m = LabelMatcher::Make(op, std::move(name), std::move(value));
  if (!m.ok()) {
    return InvalidArgument("bad matcher \"" + std::string(text) +
                           "\": invalid regular expression: " + m.status().message());
  }
  return m;
}

Result<std::vector<LabelMatcher>> ParseMatchers(std::string_view text) {
  std::string_view s = Trim(text);
  if (s.starts_with('{')) {
    if (!s.ends_with('}'))
      return InvalidArgument("bad matchers \"" + std::string(text) + "\": missing closing '}'");
    s = Trim(s.substr(1, s.size() - 2));
  }
  auto parts = SplitTopLevel(s);
  if (!parts.ok()) {
    return InvalidArgument("bad matchers \"" + std::string(text) +
                           "\": " + parts.status().message());
  }
  std::vector<LabelMatcher> out;
  for (size_t i = 0; i < parts->size(); ++i) {
    std::string_view p = Trim((*parts)[i]);
    if (p.empty() && i + 1 == parts->size() && i > 0) break;  // trailing comma
    auto m = ParseMatcher(p);
    if (!m.ok()) return m.status();
    out.push_back(std::move(m).value());
  }
  if (out.empty()) return InvalidArgument("bad matchers \"" + std::string(text) + "\": empty");
  return out;
}

std::string MatchersKeyString(std::vector<LabelMatcher> matchers) {
  std::sort(matchers.begin(), matchers.end(), [](const LabelMatcher& a, const LabelMatcher& b) {
    if (a.name() != b.name()) return a.name() < b.name();
    if (a.value() != b.value()) return a.value() < b.value();
    return a.op() < b.op();
  });
  std::string out = "{";
  for (size_t i = 0; i < matchers.size(); ++i) {
    if (i > 0) out += ',';
    out += matchers[i].ToString();
  }
  out += '}';
  return out;
}

}  // namespace tocsin
