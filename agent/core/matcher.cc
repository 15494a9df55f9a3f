#include "agent/core/matcher.h"

#include "agent/core/labels.h"

namespace tocsin {

std::string_view MatchOpString(MatchOp op) {
  switch (op) {
    case MatchOp::kEqual:
      return "=";
    case MatchOp::kNotEqual:
      return "!=";
    case MatchOp::kRegexMatch:
      return "=~";
    case MatchOp::kRegexNoMatch:
      return "!~";
  }
  return "?";
}

Result<LabelMatcher> LabelMatcher::Make(MatchOp op, std::string name, std::string value) {
  LabelMatcher m;
  m.op_ = op;
  m.name_ = std::move(name);
  m.value_ = std::move(value);
  if (op == MatchOp::kRegexMatch || op == MatchOp::kRegexNoMatch) {
    auto re = Regex::Compile(m.value_);
    if (!re.ok()) return re.status();
    m.regex_ = std::move(re).value();
  }
  return m;
}

LabelMatcher LabelMatcher::Equal(std::string name, std::string value) {
  LabelMatcher m;
  m.op_ = MatchOp::kEqual;
  m.name_ = std::move(name);
  m.value_ = std::move(value);
  return m;
}

bool LabelMatcher::Matches(std::string_view value) const {
  switch (op_) {
    case MatchOp::kEqual:
      return value == value_;
    case MatchOp::kNotEqual:
      return value != value_;
    case MatchOp::kRegexMatch:
      return regex_->Matches(value);
    case MatchOp::kRegexNoMatch:
      return !regex_->Matches(value);
  }
  return false;
}

std::string LabelMatcher::ToString() const {
  std::string out = name_;
  out += MatchOpString(op_);
  out += '"';
  AppendEscapedLabelValue(out, value_);
  out += '"';
  return out;
}

}  // namespace tocsin
