#include "agent/promql/lexer.h"

#include <cmath>
#include <cstdlib>
#include <limits>

#include "agent/core/duration.h"
#include "agent/promql/quote.h"

namespace tocsin::promql {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool IsDurationUnit(char c) {
  return c == 's' || c == 'm' || c == 'h' || c == 'd' || c == 'w' || c == 'y';
}

}  // namespace

Status ParseError(std::string_view input, int pos, std::string_view msg) {
  if (pos < 0) pos = 0;
  if (static_cast<size_t>(pos) > input.size()) pos = static_cast<int>(input.size());
  int line = 1;
  int line_start = 0;
  for (int i = 0; i < pos; ++i) {
    if (input[static_cast<size_t>(i)] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return InvalidArgument(std::to_string(line) + ":" + std::to_string(pos - line_start + 1) +
                         ": parse error: " + std::string(msg));
}

std::string DescribeToken(const Token& t) {
  switch (t.type) {
    case Tok::kEof:
      return "end of input";
    case Tok::kIdent:
      return "identifier \"" + t.text + "\"";
    case Tok::kMetricIdent:
      return "metric identifier \"" + t.text + "\"";
    case Tok::kNumber:
      return "number \"" + t.text + "\"";
    case Tok::kDuration:
      return "duration \"" + t.text + "\"";
    case Tok::kString:
      return "string " + Quote(t.text);
    case Tok::kLParen:
      return "left parenthesis '('";
    case Tok::kRParen:
      return "right parenthesis ')'";
    case Tok::kLBrace:
      return "left brace '{'";
    case Tok::kRBrace:
      return "right brace '}'";
    case Tok::kLBracket:
      return "left bracket '['";
    case Tok::kRBracket:
      return "right bracket ']'";
    case Tok::kComma:
      return "\",\"";
    case Tok::kColon:
      return "\":\"";
    case Tok::kAt:
      return "<@>";
    case Tok::kAssign:
      return "\"=\"";
    default:
      return "<op:" + t.text + ">";
  }
}

Result<std::vector<Token>> Lex(std::string_view in) {
  std::vector<Token> out;
  size_t i = 0;
  int bracket_depth = 0;  // inside [...] a ':' separates subquery range and step
  auto err = [&](size_t pos, std::string msg) {
    return ParseError(in, static_cast<int>(pos), msg);
  };
  while (true) {
    while (i < in.size() && (in[i] == ' ' || in[i] == '\t' || in[i] == '\n' || in[i] == '\r')) {
      ++i;
    }
    if (i < in.size() && in[i] == '#') {
      while (i < in.size() && in[i] != '\n') ++i;
      continue;
    }
    Token t;
    t.pos = static_cast<int>(i);
    if (i >= in.size()) {
      t.type = Tok::kEof;
      out.push_back(std::move(t));
      return out;
    }
    char c = in[i];
    char n = i + 1 < in.size() ? in[i + 1] : '\0';
    auto simple = [&](Tok type, size_t len) {
      t.type = type;
      t.text = std::string(in.substr(i, len));
      i += len;
    };
    if (IsAlpha(c) || (c == ':' && bracket_depth == 0)) {
      size_t start = i;
      bool colon = false;
      while (i < in.size() && (IsAlpha(in[i]) || IsDigit(in[i]) || in[i] == ':')) {
        colon = colon || in[i] == ':';
        ++i;
      }
      t.text = std::string(in.substr(start, i - start));
      if (EqualFold(t.text, "inf") || EqualFold(t.text, "nan")) {
        t.type = Tok::kNumber;
        t.number = EqualFold(t.text, "inf") ? std::numeric_limits<double>::infinity()
                                            : std::numeric_limits<double>::quiet_NaN();
      } else {
        t.type = colon ? Tok::kMetricIdent : Tok::kIdent;
      }
    } else if (IsDigit(c) || (c == '.' && IsDigit(n))) {
      size_t start = i;
      bool is_int = true;
      if (c == '0' && (n == 'x' || n == 'X')) {
        i += 2;
        while (i < in.size() && IsHex(in[i])) ++i;
      } else {
        while (i < in.size() && IsDigit(in[i])) ++i;
        if (i < in.size() && in[i] == '.') {
          is_int = false;
          ++i;
          while (i < in.size() && IsDigit(in[i])) ++i;
        }
        if (i < in.size() && (in[i] == 'e' || in[i] == 'E')) {
          size_t save = i;
          ++i;
          if (i < in.size() && (in[i] == '+' || in[i] == '-')) ++i;
          if (i < in.size() && IsDigit(in[i])) {
            is_int = false;
            while (i < in.size() && IsDigit(in[i])) ++i;
          } else {
            i = save;
          }
        }
      }
      if (is_int && i < in.size() && IsDurationUnit(in[i])) {
        while (i < in.size() && (IsDigit(in[i]) || IsDurationUnit(in[i]))) ++i;
        t.text = std::string(in.substr(start, i - start));
        if (i < in.size() && (IsAlpha(in[i]) || IsDigit(in[i]))) {
          return err(start, "bad number or duration syntax: \"" +
                                std::string(in.substr(start, i + 1 - start)) + "\"");
        }
        auto d = ParseDuration(t.text);
        if (!d.ok()) return err(start, "bad duration syntax: \"" + t.text + "\"");
        t.type = Tok::kDuration;
        t.duration_ms = d->count();
      } else {
        t.text = std::string(in.substr(start, i - start));
        if (i < in.size() && (IsAlpha(in[i]) || IsDigit(in[i]) || in[i] == '.')) {
          return err(start, "bad number or duration syntax: \"" +
                                std::string(in.substr(start, i + 1 - start)) + "\"");
        }
        t.type = Tok::kNumber;
        if (t.text.size() > 2 && (t.text[1] == 'x' || t.text[1] == 'X')) {
          t.number = static_cast<double>(std::strtoull(t.text.c_str() + 2, nullptr, 16));
        } else {
          t.number = std::strtod(t.text.c_str(), nullptr);
        }
      }
    } else if (c == '"' || c == '\'' || c == '`') {
      size_t start = i++;
      while (i < in.size() && in[i] != c) {
        if (in[i] == '\\' && c != '`') ++i;
        ++i;
      }
      if (i >= in.size()) return err(start, "unterminated quoted string");
      ++i;
      auto s = Unquote(in.substr(start, i - start));
      if (!s.ok()) return err(start, "invalid syntax in quoted string");
      t.type = Tok::kString;
      t.text = std::move(s).value();
    } else {
      switch (c) {
        case '(':
          simple(Tok::kLParen, 1);
          break;
        case ')':
          simple(Tok::kRParen, 1);
          break;
        case '{':
          simple(Tok::kLBrace, 1);
          break;
        case '}':
          simple(Tok::kRBrace, 1);
          break;
        case '[':
          ++bracket_depth;
          simple(Tok::kLBracket, 1);
          break;
        case ']':
          --bracket_depth;
          simple(Tok::kRBracket, 1);
          break;
        case ',':
          simple(Tok::kComma, 1);
          break;
        case ':':
          simple(Tok::kColon, 1);
          break;
        case '@':
          simple(Tok::kAt, 1);
          break;
        case '+':
          simple(Tok::kAdd, 1);
          break;
        case '-':
          simple(Tok::kSub, 1);
          break;
        case '*':
          simple(Tok::kMul, 1);
          break;
        case '/':
          simple(Tok::kDiv, 1);
          break;
        case '%':
          simple(Tok::kMod, 1);
          break;
        case '^':
          simple(Tok::kPow, 1);
          break;
        case '=':
          if (n == '=') {
            simple(Tok::kEqlc, 2);
          } else if (n == '~') {
            simple(Tok::kEqlRegex, 2);
          } else {
            simple(Tok::kAssign, 1);
          }
          break;
        case '!':
          if (n == '=') {
            simple(Tok::kNeq, 2);
          } else if (n == '~') {
            simple(Tok::kNeqRegex, 2);
          } else {
            return err(i, "unexpected character after '!': " + std::string(1, n));
          }
          break;
        case '<':
          if (n == '=') {
            simple(Tok::kLte, 2);
          } else {
            simple(Tok::kLss, 1);
          }
          break;
        case '>':
          if (n == '=') {
            simple(Tok::kGte, 2);
          } else {
            simple(Tok::kGtr, 1);
          }
          break;
        default: {
          std::string ch(1, c);
          if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
            ch = Quote(std::string_view(&in[i], 1));
            ch = ch.substr(1, ch.size() - 2);
          }
          return err(i, "unexpected character: '" + ch + "'");
        }
      }
    }
    out.push_back(std::move(t));
  }
}

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace tocsin::promql
