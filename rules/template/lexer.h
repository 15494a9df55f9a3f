// Lexer for Go text/template syntax ({{ }} delimiters, `{{- ` / ` -}}` trimming, comments),
// following Go 1.19's text/template/parse/lex.go so that error texts match Go's.
//
// Lex() is a pure function; items own their text. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tocsin::rules::tmpl {

enum class ItemType {
  kError,
  kBool,
  kChar,
  kCharConstant,
  kComment,
  kComplex,
  kAssign,   // =
  kDeclare,  // :=
  kEOF,
  kField,
  kIdentifier,
  kLeftDelim,
  kLeftParen,
  kNumber,
  kPipe,
  kRawString,
  kRightDelim,
  kRightParen,
  kSpace,
  kString,
  kText,
  kVariable,
  // Keywords (printed as <word> in errors).
  kKeyword,
  kBlock,
  kBreak,
  kContinue,
  kDot,
  kDefine,
  kElse,
  kEnd,
  kIf,
  kNil,
  kRange,
  kTemplate,
  kWith,
};

struct Item {
  ItemType type;
  std::string val;
  int line;  // 1-based
};

// Go's item.String(): EOF, the error text, <keyword>, or a (truncated) quoted value.
std::string ItemString(const Item& item);

// Lexes the whole input. The result always ends with kEOF or kError.
std::vector<Item> Lex(std::string_view input);

// Go's strconv.Quote (for error messages) and "%.10q...".
std::string GoQuote(std::string_view s);
// Go's strconv.Unquote for "..." and `...` literals; false on a malformed literal.
bool GoUnquote(std::string_view quoted, std::string& out);

}  // namespace tocsin::rules::tmpl
