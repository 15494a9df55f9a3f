#include "rules/template/lexer.h"

#include <cstdio>
#include <cstring>

#include "agent/promql/quote.h"

namespace tocsin::rules::tmpl {
namespace {

constexpr std::string_view kLeftDelim = "{{";
constexpr std::string_view kRightDelim = "}}";
constexpr std::string_view kLeftComment = "/*";
constexpr std::string_view kRightComment = "*/";
constexpr int kEof = -1;

bool IsSpace(int r) { return r == ' ' || r == '\t' || r == '\r' || r == '\n'; }
bool IsAlphaNumeric(int r) {
  return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') ||
         r >= 0x80;  // non-ASCII bytes of UTF-8 letters
}
bool HasLeftTrimMarker(std::string_view s) {
  return s.size() >= 2 && s[0] == '-' && IsSpace(static_cast<unsigned char>(s[1]));
}
bool HasRightTrimMarker(std::string_view s) {
  return s.size() >= 2 && IsSpace(static_cast<unsigned char>(s[0])) && s[1] == '-';
}

ItemType KeywordType(std::string_view w) {
  if (w == "block") return ItemType::kBlock;
  if (w == "break") return ItemType::kBreak;
  if (w == "continue") return ItemType::kContinue;
  if (w == "define") return ItemType::kDefine;
  if (w == "else") return ItemType::kElse;
  if (w == "end") return ItemType::kEnd;
  if (w == "if") return ItemType::kIf;
  if (w == "range") return ItemType::kRange;
  if (w == "nil") return ItemType::kNil;
  if (w == "template") return ItemType::kTemplate;
  if (w == "with") return ItemType::kWith;
  return ItemType::kError;
}

// Decodes one UTF-8 rune at s[i] for %#U formatting; returns the code point.
int DecodeRune(std::string_view s, size_t i) {
  unsigned char c = s[i];
  if (c < 0x80) return c;
  int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  int r = c & (0x3F >> n);
  for (int k = 1; k <= n && i + k < s.size(); ++k) r = (r << 6) | (s[i + k] & 0x3F);
  return r;
}

std::string FormatRuneU(std::string_view s, size_t i) {
  char buf[64];
  if (i >= s.size()) return "U+FFFFFFFFFFFFFFFF";  // Go prints eof (-1) like this
  int r = DecodeRune(s, i);
  size_t len = 1;
  unsigned char c = s[i];
  if (c >= 0xF0)
    len = 4;
  else if (c >= 0xE0)
    len = 3;
  else if (c >= 0xC0)
    len = 2;
  if (r >= 0x20 && r != 0x7F) {
    std::snprintf(buf, sizeof buf, "U+%04X '", r);
    return std::string(buf) + std::string(s.substr(i, len)) + "'";
  }
  std::snprintf(buf, sizeof buf, "U+%04X", r);
  return buf;
}

class Lexer {
 public:
  explicit Lexer(std::string_view input) : in_(input) {}

  std::vector<Item> Run() {
    bool more = true;
    while (more) more = LexText();
    return std::move(items_);
  }

 private:
  int Peek() const { return pos_ < in_.size() ? static_cast<unsigned char>(in_[pos_]) : kEof; }
  int Next() {
    if (pos_ >= in_.size()) {
      at_eof_ = true;
      return kEof;
    }
    int r = static_cast<unsigned char>(in_[pos_++]);
    if (r == '\n') ++line_;
    return r;
  }
  void Backup() {
    if (at_eof_) {
      at_eof_ = false;
      return;
    }
    --pos_;
    if (in_[pos_] == '\n') --line_;
  }
  bool Accept(std::string_view valid) {
    int r = Next();
    if (r != kEof && valid.find(static_cast<char>(r)) != std::string_view::npos) return true;
    Backup();
    return false;
  }
  void AcceptRun(std::string_view valid) {
    while (true) {
      int r = Next();
      if (r == kEof || valid.find(static_cast<char>(r)) == std::string_view::npos) break;
    }
    Backup();
  }
  void Emit(ItemType t) {
    items_.push_back(Item{t, std::string(in_.substr(start_, pos_ - start_)), start_line_});
    start_ = pos_;
    start_line_ = line_;
  }
  void Ignore() {
    start_ = pos_;
    start_line_ = line_;
  }
  // Appends an error item; lexing stops.
  bool Error(std::string msg) {
    items_.push_back(Item{ItemType::kError, std::move(msg), start_line_});
    return false;
  }
  bool AtRightDelim(bool& trim) {
    std::string_view rest = in_.substr(pos_);
    if (HasRightTrimMarker(rest) && rest.substr(2).starts_with(kRightDelim)) {
      trim = true;
      return true;
    }
    trim = false;
    return rest.starts_with(kRightDelim);
  }
  bool AtTerminator() const {
    int r = Peek();
    if (IsSpace(r)) return true;
    switch (r) {
      case kEof:
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(':
      case '}':
        return true;
    }
    return false;
  }

  // Returns false when lexing is over (EOF or error).
  bool LexText() {
    size_t x = in_.find(kLeftDelim, pos_);
    if (x != std::string_view::npos) {
      if (x > pos_) {
        size_t delim_end = x + kLeftDelim.size();
        size_t trim = 0;
        if (HasLeftTrimMarker(in_.substr(delim_end))) {
          size_t e = x;
          while (e > start_ && IsSpace(static_cast<unsigned char>(in_[e - 1]))) --e;
          trim = x - e;
        }
        while (pos_ < x - trim) Next();
        if (pos_ > start_) Emit(ItemType::kText);
        while (pos_ < x) Next();
        Ignore();
      }
      return LexLeftDelim();
    }
    while (pos_ < in_.size()) Next();
    if (pos_ > start_) Emit(ItemType::kText);
    Emit(ItemType::kEOF);
    return false;
  }

  bool LexLeftDelim() {
    pos_ += kLeftDelim.size();
    bool trim = HasLeftTrimMarker(in_.substr(pos_));
    size_t after = trim ? 2 : 0;
    if (in_.substr(pos_ + after).starts_with(kLeftComment)) {
      pos_ += after;
      Ignore();
      return LexComment();
    }
    Emit(ItemType::kLeftDelim);
    for (size_t i = 0; i < after; ++i) Next();
    Ignore();
    paren_depth_ = 0;
    return LexInsideAction();
  }

  bool LexComment() {
    pos_ += kLeftComment.size();
    size_t x = in_.find(kRightComment, pos_);
    if (x == std::string_view::npos) return Error("unclosed comment");
    while (pos_ < x + kRightComment.size()) Next();
    bool trim;
    if (!AtRightDelim(trim)) return Error("comment ends before closing delimiter");
    if (trim) pos_ += 2;
    pos_ += kRightDelim.size();
    if (trim) {
      while (pos_ < in_.size() && IsSpace(static_cast<unsigned char>(in_[pos_]))) Next();
    }
    Ignore();
    return true;  // back to LexText
  }

  bool LexRightDelim(bool trim) {
    if (trim) {
      pos_ += 2;
      Ignore();
    }
    pos_ += kRightDelim.size();
    Emit(ItemType::kRightDelim);
    if (trim) {
      while (pos_ < in_.size() && IsSpace(static_cast<unsigned char>(in_[pos_]))) Next();
      Ignore();
    }
    return true;
  }

  bool LexInsideAction() {
    while (true) {
      bool trim;
      if (AtRightDelim(trim)) {
        if (paren_depth_ == 0) return LexRightDelim(trim);
        return Error("unclosed left paren");
      }
      int r = Next();
      if (r == kEof) return Error("unclosed action");
      if (IsSpace(r)) {
        Backup();
        if (!LexSpace()) return LexRightDelim(true);
        continue;
      }
      switch (r) {
        case '=':
          Emit(ItemType::kAssign);
          continue;
        case ':':
          if (Next() != '=') return Error("expected :=");
          Emit(ItemType::kDeclare);
          continue;
        case '|':
          Emit(ItemType::kPipe);
          continue;
        case '"':
          if (!LexQuote()) return false;
          continue;
        case '`':
          if (!LexRawQuote()) return false;
          continue;
        case '$':
          if (!LexFieldOrVariable(ItemType::kVariable)) return false;
          continue;
        case '\'':
          if (!LexChar()) return false;
          continue;
        case '(':
          Emit(ItemType::kLeftParen);
          ++paren_depth_;
          continue;
        case ')':
          --paren_depth_;
          Emit(ItemType::kRightParen);
          continue;
      }
      if (r == '.') {
        if (pos_ < in_.size() && !(in_[pos_] >= '0' && in_[pos_] <= '9')) {
          if (!LexFieldOrVariable(ItemType::kField)) return false;
          continue;
        }
      }
      if (r == '.' || r == '+' || r == '-' || (r >= '0' && r <= '9')) {
        Backup();
        if (!LexNumber()) return false;
        continue;
      }
      if (IsAlphaNumeric(r)) {
        Backup();
        if (!LexIdentifier()) return false;
        continue;
      }
      if (r < 0x7F && r >= 0x20) {
        Emit(ItemType::kChar);
        continue;
      }
      return Error("unrecognized character in action: " + FormatRuneU(in_, pos_ - 1));
    }
  }

  // Returns false when the spaces are followed by a trim-marked right delimiter " -}}" with a
  // single space (the caller then lexes the delimiter).
  bool LexSpace() {
    int num = 0;
    while (IsSpace(Peek())) {
      Next();
      ++num;
    }
    if (HasRightTrimMarker(in_.substr(pos_ - 1)) &&
        in_.substr(pos_ - 1 + 2).starts_with(kRightDelim)) {
      Backup();
      if (num == 1) {
        Ignore();
        return false;
      }
    }
    Emit(ItemType::kSpace);
    return true;
  }

  bool LexIdentifier() {
    while (true) {
      int r = Next();
      if (IsAlphaNumeric(r)) continue;
      Backup();
      std::string_view word = in_.substr(start_, pos_ - start_);
      if (!AtTerminator()) return Error("bad character " + FormatRuneU(in_, pos_));
      ItemType kw = KeywordType(word);
      if (kw != ItemType::kError) {
        Emit(kw);
      } else if (word == "true" || word == "false") {
        Emit(ItemType::kBool);
      } else {
        Emit(ItemType::kIdentifier);
      }
      return true;
    }
  }

  bool LexFieldOrVariable(ItemType t) {
    if (AtTerminator()) {
      Emit(t == ItemType::kVariable ? ItemType::kVariable : ItemType::kDot);
      return true;
    }
    while (IsAlphaNumeric(Peek())) Next();
    if (!AtTerminator()) return Error("bad character " + FormatRuneU(in_, pos_));
    Emit(t);
    return true;
  }

  bool LexChar() {
    while (true) {
      int r = Next();
      if (r == '\\') {
        r = Next();
        if (r != kEof && r != '\n') continue;
        return Error("unterminated character constant");
      }
      if (r == kEof || r == '\n') return Error("unterminated character constant");
      if (r == '\'') break;
    }
    Emit(ItemType::kCharConstant);
    return true;
  }

  bool LexQuote() {
    while (true) {
      int r = Next();
      if (r == '\\') {
        r = Next();
        if (r != kEof && r != '\n') continue;
        return Error("unterminated quoted string");
      }
      if (r == kEof || r == '\n') return Error("unterminated quoted string");
      if (r == '"') break;
    }
    Emit(ItemType::kString);
    return true;
  }

  bool LexRawQuote() {
    while (true) {
      int r = Next();
      if (r == kEof) return Error("unterminated raw quoted string");
      if (r == '`') break;
    }
    Emit(ItemType::kRawString);
    return true;
  }

  bool ScanNumber() {
    Accept("+-");
    std::string_view digits = "0123456789_";
    if (Accept("0")) {
      if (Accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (Accept("oO")) {
        digits = "01234567_";
      } else if (Accept("bB")) {
        digits = "01_";
      }
    }
    AcceptRun(digits);
    if (Accept(".")) AcceptRun(digits);
    if (digits.size() == 11 && Accept("eE")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    if (digits.size() == 23 && Accept("pP")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    Accept("i");
    if (IsAlphaNumeric(Peek())) {
      Next();
      return false;
    }
    return true;
  }

  bool LexNumber() {
    if (!ScanNumber()) {
      return Error("bad number syntax: " + GoQuote(in_.substr(start_, pos_ - start_)));
    }
    int sign = Peek();
    if (sign == '+' || sign == '-') {
      if (!ScanNumber() || in_[pos_ - 1] != 'i') {
        return Error("bad number syntax: " + GoQuote(in_.substr(start_, pos_ - start_)));
      }
      Emit(ItemType::kComplex);
    } else {
      Emit(ItemType::kNumber);
    }
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
  size_t start_ = 0;
  int line_ = 1;
  int start_line_ = 1;
  bool at_eof_ = false;
  int paren_depth_ = 0;
  std::vector<Item> items_;
};

}  // namespace

// Go's strconv.Quote, shared with the PromQL printer.
std::string GoQuote(std::string_view s) { return promql::Quote(s); }

std::string ItemString(const Item& item) {
  if (item.type == ItemType::kEOF) return "EOF";
  if (item.type == ItemType::kError) return item.val;
  if (item.type > ItemType::kKeyword) return "<" + item.val + ">";
  // %.10q: at most 10 runes.
  size_t runes = 0, i = 0;
  while (i < item.val.size()) {
    unsigned char c = item.val[i];
    ++runes;
    i += c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (runes == 10) break;
  }
  if (i < item.val.size()) return GoQuote(item.val.substr(0, i)) + "...";
  return GoQuote(item.val);
}

bool GoUnquote(std::string_view q, std::string& out) {
  out.clear();
  if (q.size() < 2) return false;
  if (q.front() == '`') {
    if (q.back() != '`') return false;
    for (char c : q.substr(1, q.size() - 2)) {
      if (c != '\r') out += c;  // Go drops carriage returns from raw strings
    }
    return true;
  }
  // Interpreted strings follow Go's strconv.Unquote, which PromQL's string literals share.
  if (q.front() != '"') return false;
  auto unquoted = promql::Unquote(q);
  if (!unquoted.ok()) return false;
  out = std::move(unquoted).value();
  return true;
}

std::vector<Item> Lex(std::string_view input) { return Lexer(input).Run(); }

}  // namespace tocsin::rules::tmpl
