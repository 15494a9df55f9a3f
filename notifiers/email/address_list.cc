#include "notifiers/email/address_list.h"

#include <cctype>

namespace tocsin {
namespace {

// RFC 5322 atext.
bool IsAtext(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos ||
         static_cast<unsigned char>(c) >= 0x80;  // RFC 6532 (SMTPUTF8) as Go accepts
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<std::vector<std::string>> List() {
    std::vector<std::string> out;
    while (true) {
      SkipCfws();
      if (AtEnd()) break;
      auto addr = Mailbox();
      if (!addr.ok()) return addr.status();
      out.push_back(*addr);
      SkipCfws();
      if (AtEnd()) break;
      if (s_[pos_] != ',') return Error("expected comma");
      ++pos_;
    }
    if (out.empty()) return Error("no address");
    return out;
  }

 private:
  Status Error(const std::string& what) const { return InvalidArgument("mail: " + what); }
  bool AtEnd() const { return pos_ >= s_.size(); }

  // Comments and folding whitespace.
  void SkipCfws() {
    while (!AtEnd()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++pos_;
      } else if (c == '(') {
        int depth = 0;
        while (!AtEnd()) {
          char d = s_[pos_++];
          if (d == '\\' && !AtEnd()) {
            ++pos_;
          } else if (d == '(') {
            ++depth;
          } else if (d == ')' && --depth == 0) {
            break;
          }
        }
      } else {
        break;
      }
    }
  }

  bool Atom(std::string* out, bool dots) {
    size_t start = pos_;
    while (!AtEnd() && (IsAtext(s_[pos_]) || (dots && s_[pos_] == '.'))) ++pos_;
    *out = std::string(s_.substr(start, pos_ - start));
    return pos_ > start;
  }

  Result<std::string> QuotedString() {
    std::string out;
    ++pos_;  // the opening quote
    while (true) {
      if (AtEnd()) return Error("unclosed quoted-string");
      char c = s_[pos_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (AtEnd()) return Error("unclosed quoted-string");
        out += s_[pos_++];
      } else {
        out += c;
      }
    }
  }

  // local-part "@" domain, without angle brackets.
  Result<std::string> AddrSpec() {
    std::string local;
    if (!AtEnd() && s_[pos_] == '"') {
      auto q = QuotedString();
      if (!q.ok()) return q.status();
      local = "\"" + *q + "\"";
    } else if (!Atom(&local, true)) {
      return Error("invalid string");
    }
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string::npos) {
      return Error("invalid local part");
    }
    if (AtEnd() || s_[pos_] != '@') return Error("missing @ in addr-spec");
    ++pos_;
    std::string domain;
    if (!AtEnd() && s_[pos_] == '[') {
      size_t end = s_.find(']', pos_);
      if (end == std::string_view::npos) return Error("unclosed domain-literal");
      domain = std::string(s_.substr(pos_, end - pos_ + 1));
      pos_ = end + 1;
    } else if (!Atom(&domain, true) || domain.front() == '.' || domain.back() == '.' ||
               domain.find("..") != std::string::npos) {
      return Error("invalid domain");
    }
    return local + "@" + domain;
  }

  Result<std::string> AngleAddr() {
    ++pos_;  // '<'
    SkipCfws();
    auto addr = AddrSpec();
    if (!addr.ok()) return addr;
    SkipCfws();
    if (AtEnd() || s_[pos_] != '>') return Error("unclosed angle-addr");
    ++pos_;
    return addr;
  }

  // A bare addr-spec, or a display name (words and quoted strings) then an angle-addr.
  Result<std::string> Mailbox() {
    size_t start = pos_;
    if (s_[pos_] == '<') return AngleAddr();
    // Try an addr-spec first, as Go does.
    if (auto spec = AddrSpec(); spec.ok()) {
      size_t after = pos_;
      SkipCfws();
      if (AtEnd() || s_[pos_] == ',') return spec;
      pos_ = after;
    }
    pos_ = start;
    while (!AtEnd() && s_[pos_] != '<') {
      if (s_[pos_] == '"') {
        auto q = QuotedString();
        if (!q.ok()) return q.status();
      } else {
        std::string word;
        if (!Atom(&word, true)) {
          bool has_at = s_.substr(start).find('@') != std::string_view::npos;
          return Error(has_at ? "no angle-addr" : "missing '@' or angle-addr");
        }
      }
      SkipCfws();
    }
    if (AtEnd()) {
      bool has_at = s_.substr(start).find('@') != std::string_view::npos;
      return Error(has_at ? "no angle-addr" : "missing '@' or angle-addr");
    }
    return AngleAddr();
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::vector<std::string>> ParseAddressList(std::string_view list) {
  return Parser(list).List();
}

}  // namespace tocsin
