// PromQL lexer: turns an expression into a token list for the parser.
//
// Context-free: keywords (by, on, offset, and, ...) are identifiers here and are recognised by the
// parser, which lets them double as metric and label names as Prometheus allows. Pure function;
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/core/status.h"

namespace tocsin::promql {

enum class Tok {
  kEof,
  kIdent,        // [a-zA-Z_][a-zA-Z0-9_]*
  kMetricIdent,  // an identifier containing ':'
  kNumber,       // value in `number`; Inf and NaN included
  kDuration,     // value in `duration_ms`
  kString,       // unquoted value in `text`
  kLParen,
  kRParen,
  kLBrace,
  kRBrace,
  kLBracket,
  kRBracket,
  kComma,
  kColon,
  kAt,
  kAssign,  // =
  kEqlRegex,
  kNeqRegex,  // =~ !~
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEqlc,
  kNeq,
  kLss,
  kLte,
  kGtr,
  kGte,
};

struct Token {
  Tok type = Tok::kEof;
  int pos = 0;       // byte offset in the input
  std::string text;  // raw text (unquoted for strings)
  double number = 0;
  int64_t duration_ms = 0;
};

// "1:14: parse error: <msg>" for the byte offset `pos` of `input`.
Status ParseError(std::string_view input, int pos, std::string_view msg);

// Tokenizes `input`; the last token is kEof. Errors are positioned parse errors.
Result<std::vector<Token>> Lex(std::string_view input);

// How the parser names a token in "unexpected ..." messages.
std::string DescribeToken(const Token& t);

// ASCII case-insensitive equality (PromQL keywords, Inf/NaN).
bool EqualFold(std::string_view a, std::string_view b);

}  // namespace tocsin::promql
