#include "rules/template/html_escape.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>

#include "agent/core/url_escape.h"

namespace tocsin::rules::tmpl {
namespace {

using State = HtmlEscaper::State;
using Delim = HtmlEscaper::Delim;
using UrlPart = HtmlEscaper::UrlPart;
using Element = HtmlEscaper::Element;
using Attr = HtmlEscaper::Attr;
using Context = HtmlEscaper::Context;

constexpr std::string_view kFilterFailsafe = "ZgotmplZ";

bool AsciiAlpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool AsciiAlphaNum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EqualFold(std::string_view a, std::string_view b) {
  return a.size() == b.size() && Lower(a) == Lower(b);
}

size_t EatWhiteSpace(std::string_view s, size_t i) {
  while (i < s.size() && IsHtmlSpace(s[i])) ++i;
  return i;
}

Context ErrorContext(std::string message) {
  Context c;
  c.state = State::kError;
  c.error = std::move(message);
  return c;
}

// Go's eatAttrName: the end of an attribute name, or npos for a character no name may hold.
size_t EatAttrName(std::string_view s, size_t i, std::string* error) {
  for (size_t j = i; j < s.size(); ++j) {
    switch (s[j]) {
      case ' ':
      case '\t':
      case '\n':
      case '\f':
      case '\r':
      case '=':
      case '>':
        return j;
      case '\'':
      case '"':
      case '<':
        *error = "\"" + std::string(1, s[j]) + "\" in attribute name: \"" +
                 std::string(s.substr(0, 32)) + "\"";
        return std::string_view::npos;
      default:
        break;
    }
  }
  return s.size();
}

Element ElementNamed(std::string_view name) {
  std::string n = Lower(name);
  if (n == "script") return Element::kScript;
  if (n == "style") return Element::kStyle;
  if (n == "textarea") return Element::kTextarea;
  if (n == "title") return Element::kTitle;
  return Element::kNone;
}

// Go's eatTagName: letters and digits, with single inner '-' or ':'.
size_t EatTagName(std::string_view s, size_t i, Element* element) {
  *element = Element::kNone;
  if (i == s.size() || !AsciiAlpha(s[i])) return i;
  size_t j = i + 1;
  while (j < s.size()) {
    char x = s[j];
    if (AsciiAlphaNum(x)) {
      ++j;
      continue;
    }
    if ((x == ':' || x == '-') && j + 1 < s.size() && AsciiAlphaNum(s[j + 1])) {
      j += 2;
      continue;
    }
    break;
  }
  *element = ElementNamed(s.substr(i, j - i));
  return j;
}

enum class ContentType { kPlain, kUrl, kCss, kJs, kSrcset };

// Go's attrType (attr.go): what an attribute's value holds.
ContentType AttrType(std::string name) {
  if (name.starts_with("data-")) {
    name = name.substr(5);
  } else if (size_t colon = name.find(':'); colon != std::string::npos) {
    if (name.substr(0, colon) == "xmlns") return ContentType::kUrl;
    name = name.substr(colon + 1);
  }
  static constexpr std::string_view kUrlAttrs[] = {
      "action", "archive",    "background", "cite",   "classid",  "codebase",
      "data",   "formaction", "href",       "icon",   "longdesc", "manifest",
      "poster", "profile",    "src",        "usemap", "xmlns"};
  if (std::find(std::begin(kUrlAttrs), std::end(kUrlAttrs), name) != std::end(kUrlAttrs)) {
    return ContentType::kUrl;
  }
  if (name == "srcset") return ContentType::kSrcset;
  if (name == "style") return ContentType::kCss;
  // Go's attrTypeMap lists a few plain attributes starting with "on" (none in practice).
  if (name.starts_with("on")) return ContentType::kJs;
  if (name.find("src") != std::string::npos || name.find("uri") != std::string::npos ||
      name.find("url") != std::string::npos) {
    return ContentType::kUrl;
  }
  return ContentType::kPlain;
}

State ElementContentState(Element e) {
  switch (e) {
    case Element::kScript:
      return State::kJs;
    case Element::kStyle:
      return State::kCss;
    case Element::kTextarea:
    case Element::kTitle:
      return State::kRcdata;
    case Element::kNone:
      break;
  }
  return State::kText;
}

State AttrStartState(Attr a) {
  switch (a) {
    case Attr::kScript:
      return State::kJs;
    case Attr::kStyle:
      return State::kCss;
    case Attr::kUrl:
      return State::kUrl;
    case Attr::kSrcset:
      return State::kSrcset;
    case Attr::kNone:
    case Attr::kScriptType:
      break;
  }
  return State::kAttr;
}

std::pair<Context, size_t> TText(const Context& c, std::string_view s) {
  size_t k = 0;
  while (true) {
    size_t i = s.find('<', k);
    if (i == std::string_view::npos || i + 1 == s.size()) return {c, s.size()};
    if (s.substr(i).starts_with("<!--")) {
      Context out;
      out.state = State::kHtmlComment;
      return {out, i + 4};
    }
    ++i;
    bool end = false;
    if (s[i] == '/') {
      if (i + 1 == s.size()) return {c, s.size()};
      end = true;
      ++i;
    }
    Element e;
    size_t j = EatTagName(s, i, &e);
    if (j != i) {
      Context out;
      out.state = State::kTag;
      out.element = end ? Element::kNone : e;
      return {out, j};
    }
    k = j;
  }
}

std::pair<Context, size_t> TTag(const Context& c, std::string_view s) {
  size_t i = EatWhiteSpace(s, 0);
  if (i == s.size()) return {c, s.size()};
  if (s[i] == '>') {
    Context out;
    out.state = ElementContentState(c.element);
    out.element = c.element;
    return {out, i + 1};
  }
  std::string error;
  size_t j = EatAttrName(s, i, &error);
  if (j == std::string_view::npos) return {ErrorContext(error), s.size()};
  if (i == j) {
    return {ErrorContext("expected space, attr name, or end of tag, but got \"" +
                         std::string(s.substr(i)) + "\""),
            s.size()};
  }
  std::string name = Lower(s.substr(i, j - i));
  Attr attr = Attr::kNone;
  if (c.element == Element::kScript && name == "type") {
    attr = Attr::kScriptType;
  } else {
    switch (AttrType(name)) {
      case ContentType::kUrl:
        attr = Attr::kUrl;
        break;
      case ContentType::kCss:
        attr = Attr::kStyle;
        break;
      case ContentType::kJs:
        attr = Attr::kScript;
        break;
      case ContentType::kSrcset:
        attr = Attr::kSrcset;
        break;
      case ContentType::kPlain:
        break;
    }
  }
  Context out;
  out.state = j == s.size() ? State::kAttrName : State::kAfterName;
  out.element = c.element;
  out.attr = attr;
  return {out, j};
}

std::pair<Context, size_t> TAttrName(const Context& c, std::string_view s) {
  std::string error;
  size_t i = EatAttrName(s, 0, &error);
  if (i == std::string_view::npos) return {ErrorContext(error), s.size()};
  Context out = c;
  if (i != s.size()) out.state = State::kAfterName;
  return {out, i};
}

std::pair<Context, size_t> TAfterName(const Context& c, std::string_view s) {
  size_t i = EatWhiteSpace(s, 0);
  Context out = c;
  if (i == s.size()) return {out, s.size()};
  if (s[i] != '=') {
    out.state = State::kTag;
    return {out, i};
  }
  out.state = State::kBeforeValue;
  return {out, i + 1};
}

std::pair<Context, size_t> TBeforeValue(const Context& c, std::string_view s) {
  size_t i = EatWhiteSpace(s, 0);
  if (i == s.size()) return {c, s.size()};
  Context out = c;
  out.delim = Delim::kSpaceOrTagEnd;
  if (s[i] == '\'') {
    out.delim = Delim::kSingleQuote;
    ++i;
  } else if (s[i] == '"') {
    out.delim = Delim::kDoubleQuote;
    ++i;
  }
  out.state = AttrStartState(c.attr);
  return {out, i};
}

std::pair<Context, size_t> THtmlComment(const Context& c, std::string_view s) {
  if (size_t i = s.find("-->"); i != std::string_view::npos) return {Context{}, i + 3};
  return {c, s.size()};
}

std::pair<Context, size_t> TUrl(const Context& c, std::string_view s) {
  Context out = c;
  if (s.find_first_of("#?") != std::string_view::npos) {
    out.url_part = UrlPart::kQueryOrFragment;
  } else if (EatWhiteSpace(s, 0) != s.size() && c.url_part == UrlPart::kNone) {
    out.url_part = UrlPart::kPreQuery;
  }
  return {out, s.size()};
}

std::string_view EndTagName(Element e) {
  switch (e) {
    case Element::kScript:
      return "script";
    case Element::kStyle:
      return "style";
    case Element::kTextarea:
      return "textarea";
    case Element::kTitle:
      return "title";
    case Element::kNone:
      break;
  }
  return "";
}

// Go's indexTagEnd: where "</tag" followed by '>', space or '/' starts, or npos.
size_t IndexTagEnd(std::string_view s, std::string_view tag) {
  size_t base = 0;
  while (!s.empty()) {
    size_t i = s.find("</");
    if (i == std::string_view::npos) return i;
    s.remove_prefix(i + 2);
    if (tag.size() <= s.size() && EqualFold(tag, s.substr(0, tag.size()))) {
      s.remove_prefix(tag.size());
      if (!s.empty() && std::string_view("> \t\n\f/").find(s[0]) != std::string_view::npos) {
        return base + i;
      }
      base += tag.size();
    }
    base += i + 2;
  }
  return std::string_view::npos;
}

std::pair<Context, size_t> Transition(const Context& c, std::string_view s) {
  switch (c.state) {
    case State::kText:
      return TText(c, s);
    case State::kTag:
      return TTag(c, s);
    case State::kAttrName:
      return TAttrName(c, s);
    case State::kAfterName:
      return TAfterName(c, s);
    case State::kBeforeValue:
      return TBeforeValue(c, s);
    case State::kHtmlComment:
      return THtmlComment(c, s);
    case State::kUrl:
      return TUrl(c, s);
    case State::kRcdata:
    case State::kAttr:
    case State::kSrcset:
    case State::kJs:
    case State::kCss:
    case State::kError:
      // Opaque to tocsin up to the end of the element or attribute (see the header).
      return {c, s.size()};
  }
  return {c, s.size()};
}

// Enough of html.UnescapeString for URL-part tracking: numeric references and the common
// named ones (an escaped '?' or '#' moves a URL to its query part, as in Go).
std::string UnescapeHtml(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += s[i];
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    uint32_t cp = 0;
    bool ok = false;
    if (ent.size() > 1 && ent[0] == '#') {
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string digits(ent.substr(hex ? 2 : 1));
      if (!digits.empty() && digits.find_first_not_of(hex ? "0123456789abcdefABCDEF"
                                                          : "0123456789") == std::string::npos) {
        cp = static_cast<uint32_t>(std::stoul(digits, nullptr, hex ? 16 : 10));
        ok = cp < 0x80;  // only ASCII matters for the transitions
      }
    } else if (ent == "amp") {
      cp = '&', ok = true;
    } else if (ent == "quot") {
      cp = '"', ok = true;
    } else if (ent == "lt") {
      cp = '<', ok = true;
    } else if (ent == "gt") {
      cp = '>', ok = true;
    } else if (ent == "apos") {
      cp = '\'', ok = true;
    }
    if (!ok) {
      out += s[i];
      continue;
    }
    out += static_cast<char>(cp);
    i = semi;
  }
  return out;
}

// htmlReplacer with one of Go's tables: `table(c)` gives the replacement of an ASCII byte or
// nullptr. `bad_runes` false also escapes U+FDD0..U+FDEF and U+FFF0..U+FFFF (unquoted
// attributes).
template <typename Table>
std::string Replace(std::string_view s, Table table, bool bad_runes) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (const char* r = table(static_cast<char>(c))) {
        out += r;
      } else {
        out += static_cast<char>(c);
      }
      continue;
    }
    if (!bad_runes && c == 0xEF && i + 2 < s.size()) {
      // U+FDD0..U+FDEF = EF B7 90..EF B7 AF; U+FFF0..U+FFFF = EF BF B0..EF BF BF.
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      unsigned char c2 = static_cast<unsigned char>(s[i + 2]);
      uint32_t cp = ((c & 0x0Fu) << 12) | ((c1 & 0x3Fu) << 6) | (c2 & 0x3Fu);
      if ((c1 & 0xC0) == 0x80 && (c2 & 0xC0) == 0x80 &&
          ((cp >= 0xFDD0 && cp <= 0xFDEF) || cp >= 0xFFF0)) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "&#x%x;", cp);
        out += buf;
        i += 2;
        continue;
      }
    }
    out += static_cast<char>(c);
  }
  return out;
}

const char* HtmlTable(char c, bool normalize) {
  switch (c) {
    case '\0':
      return "\xEF\xBF\xBD";
    case '"':
      return "&#34;";
    case '&':
      return normalize ? nullptr : "&amp;";
    case '\'':
      return "&#39;";
    case '+':
      return "&#43;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    default:
      return nullptr;
  }
}

const char* NospaceTable(char c, bool normalize) {
  switch (c) {
    case '\0':
      return "&#xfffd;";
    case '\t':
      return "&#9;";
    case '\n':
      return "&#10;";
    case '\v':
      return "&#11;";
    case '\f':
      return "&#12;";
    case '\r':
      return "&#13;";
    case ' ':
      return "&#32;";
    case '=':
      return "&#61;";
    case '`':
      return "&#96;";
    default:
      return HtmlTable(c, normalize);
  }
}

std::string HtmlReplace(std::string_view s, bool normalize) {
  return Replace(
      s, [normalize](char c) { return HtmlTable(c, normalize); }, true);
}

// Go's stripTags, simplified: the text outside tags and comments of an HTML fragment.
std::string StripTags(std::string_view html) {
  std::string out;
  Context c;
  size_t i = 0;
  while (i < html.size()) {
    auto [d, nread] = Transition(c, html.substr(i));
    size_t end = i + nread;
    if (c.state == State::kText || c.state == State::kRcdata) {
      size_t j = end;
      if (d.state != c.state) {
        for (size_t k = end; k > i; --k) {
          if (html[k - 1] == '<') {
            j = k - 1;
            break;
          }
        }
      }
      out.append(html.substr(i, j - i));
    }
    if (d.state == State::kError) break;
    if (nread == 0 && d.state == c.state) break;
    c = d;
    i = end;
  }
  return out;
}

}  // namespace

std::string HtmlEscapeString(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string GoHtmlEscape(std::string_view s, bool safe_html) {
  if (safe_html) return std::string(s);
  return HtmlReplace(s, false);
}

std::string GoAttrEscape(std::string_view s, bool safe_html) {
  if (safe_html) return HtmlReplace(StripTags(s), true);
  return HtmlReplace(s, false);
}

std::string GoRcdataEscape(std::string_view s, bool safe_html) { return HtmlReplace(s, safe_html); }

std::string GoNospaceEscape(std::string_view s, bool safe_html) {
  std::string in = safe_html ? StripTags(s) : std::string(s);
  return Replace(
      in, [safe_html](char c) { return NospaceTable(c, safe_html); }, false);
}

std::string GoUrlFilter(std::string_view s) {
  if (size_t colon = s.find(':'); colon != std::string_view::npos) {
    std::string_view scheme = s.substr(0, colon);
    if (scheme.find('/') == std::string_view::npos && !EqualFold(scheme, "http") &&
        !EqualFold(scheme, "https") && !EqualFold(scheme, "mailto")) {
      return "#" + std::string(kFilterFailsafe);
    }
  }
  return std::string(s);
}

std::string GoUrlProcess(std::string_view s, bool normalize) {
  auto is_hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  std::string out;
  out.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool keep = false;
    switch (c) {
      case '!':
      case '#':
      case '$':
      case '&':
      case '*':
      case '+':
      case ',':
      case '/':
      case ':':
      case ';':
      case '=':
      case '?':
      case '@':
      case '[':
      case ']':
        keep = normalize;
        break;
      case '-':
      case '.':
      case '_':
      case '~':
        keep = true;
        break;
      case '%':
        keep = normalize && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2]);
        break;
      default:
        keep = AsciiAlphaNum(c);
    }
    if (keep) {
      out += c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02x", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  return out;
}

std::string GoHtmlNameFilter(std::string_view s) {
  if (s.empty()) return std::string(kFilterFailsafe);
  std::string lower = Lower(s);
  if (AttrType(lower) != ContentType::kPlain) return std::string(kFilterFailsafe);
  for (char c : lower) {
    if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z')) return std::string(kFilterFailsafe);
  }
  return lower;
}

std::pair<Context, size_t> HtmlEscaper::AfterText(const Context& c, std::string_view s) const {
  if (c.delim == Delim::kNone) {
    size_t end = s.size();
    if (c.element != Element::kNone) {
      size_t i = IndexTagEnd(s, EndTagName(c.element));
      if (i == 0) return {Context{}, 0};
      if (i != std::string_view::npos) end = i;
    }
    return Transition(c, s.substr(0, end));
  }
  std::string_view ends = c.delim == Delim::kDoubleQuote   ? std::string_view("\"")
                          : c.delim == Delim::kSingleQuote ? std::string_view("'")
                                                           : std::string_view(" \t\n\f\r>");
  size_t i = s.find_first_of(ends);
  if (i == std::string_view::npos) i = s.size();
  if (c.delim == Delim::kSpaceOrTagEnd) {
    if (size_t j = s.substr(0, i).find_first_of("\"'<=`"); j != std::string_view::npos) {
      return {ErrorContext("\"" + std::string(1, s[j]) + "\" in unquoted attr: \"" +
                           std::string(s.substr(0, i)) + "\""),
              s.size()};
    }
  }
  if (i == s.size()) {
    // The value goes on past this text: its decoded content moves the context.
    Context out = c;
    std::string u = UnescapeHtml(s);
    std::string_view rest = u;
    while (!rest.empty()) {
      auto [next, nread] = Transition(out, rest);
      out = next;
      rest.remove_prefix(std::max<size_t>(nread, 1));
    }
    return {out, s.size()};
  }
  Element element = c.element;
  // A <script type="..."> that is not JavaScript holds plain text.
  if (c.state == State::kAttr && c.element == Element::kScript && c.attr == Attr::kScriptType) {
    std::string type = Lower(s.substr(0, i));
    if (size_t semi = type.find(';'); semi != std::string::npos) type.resize(semi);
    while (!type.empty() && IsHtmlSpace(type.back())) type.pop_back();
    static constexpr std::string_view kJsTypes[] = {"",
                                                    "application/ecmascript",
                                                    "application/javascript",
                                                    "application/json",
                                                    "application/ld+json",
                                                    "application/x-ecmascript",
                                                    "application/x-javascript",
                                                    "module",
                                                    "text/ecmascript",
                                                    "text/javascript",
                                                    "text/javascript1.0",
                                                    "text/javascript1.1",
                                                    "text/javascript1.2",
                                                    "text/javascript1.3",
                                                    "text/javascript1.4",
                                                    "text/javascript1.5",
                                                    "text/jscript",
                                                    "text/livescript",
                                                    "text/x-ecmascript",
                                                    "text/x-javascript"};
    if (std::find(std::begin(kJsTypes), std::end(kJsTypes), type) == std::end(kJsTypes)) {
      element = Element::kNone;
    }
  }
  if (c.delim != Delim::kSpaceOrTagEnd) ++i;  // the closing quote
  Context out;
  out.state = State::kTag;
  out.element = element;
  return {out, i};
}

Result<std::string> HtmlEscaper::Text(std::string_view s) {
  std::string out;
  size_t written = 0;
  size_t i = 0;
  auto fail = [&]() -> Result<std::string> {
    return InvalidArgument("html/template: " + c_.error);
  };
  if (c_.state == State::kError) return fail();
  while (i != s.size()) {
    auto [c1, nread] = AfterText(c_, s.substr(i));
    size_t i1 = i + nread;
    if (c_.state == State::kText || c_.state == State::kRcdata) {
      size_t end = i1;
      if (c1.state != c_.state) {
        for (size_t j = i1; j > i; --j) {
          if (s[j - 1] == '<') {
            end = j - 1;
            break;
          }
        }
      }
      for (size_t j = i; j < end; ++j) {
        if (s[j] == '<' && !(s.size() - j >= 9 && EqualFold(s.substr(j, 9), "<!DOCTYPE"))) {
          out.append(s.substr(written, j - written));
          out += "&lt;";
          written = j + 1;
        }
      }
    } else if (c_.state == State::kHtmlComment) {
      written = i1;  // comments in template text are dropped
    }
    if (c1.state != c_.state && c1.state == State::kHtmlComment) {
      out.append(s.substr(written, i1 - 4 - written));  // up to "<!--"
      written = i1;
    }
    if (c1.state == State::kError) {
      c_ = c1;
      return fail();
    }
    c_ = c1;
    i = i1;
  }
  if (c_.state != State::kHtmlComment) out.append(s.substr(written));
  return out;
}

Result<std::vector<HtmlEscaper::Escaper>> HtmlEscaper::EscapersForAction() {
  if (c_.state == State::kError) return InvalidArgument("html/template: " + c_.error);
  // Go's nudge: an action right after a tag name or attribute name is an attribute name; one
  // after '=' is an unquoted value.
  switch (c_.state) {
    case State::kTag:
      c_.state = State::kAttrName;
      break;
    case State::kBeforeValue:
      c_.state = AttrStartState(c_.attr);
      c_.delim = Delim::kSpaceOrTagEnd;
      c_.attr = Attr::kNone;
      break;
    case State::kAfterName:
      c_.state = State::kAttrName;
      c_.attr = Attr::kNone;
      break;
    default:
      break;
  }
  std::vector<Escaper> s;
  switch (c_.state) {
    case State::kUrl:
      switch (c_.url_part) {
        case UrlPart::kNone:
          s.push_back(Escaper::kUrlFilter);
          [[fallthrough]];
        case UrlPart::kPreQuery:
          s.push_back(Escaper::kUrlNormalizer);
          break;
        case UrlPart::kQueryOrFragment:
          s.push_back(Escaper::kUrlEscaper);
          break;
      }
      break;
    case State::kText:
      s.push_back(Escaper::kHtml);
      break;
    case State::kRcdata:
      s.push_back(Escaper::kRcdata);
      break;
    case State::kAttr:
      break;
    case State::kAttrName:
      s.push_back(Escaper::kNameFilter);
      break;
    case State::kHtmlComment:
      s.push_back(Escaper::kComment);
      break;
    case State::kJs:
    case State::kCss:
    case State::kSrcset:
      return InvalidArgument(
          "html/template: tocsin does not escape actions in JavaScript, CSS or srcset "
          "(<script>, <style>, on* and style attributes); move the value into text or a plain "
          "attribute");
    default:
      return InvalidArgument("html/template: unexpected context for an action");
  }
  switch (c_.delim) {
    case Delim::kNone:
      break;
    case Delim::kSpaceOrTagEnd:
      s.push_back(Escaper::kNospace);
      break;
    default:
      s.push_back(Escaper::kAttr);
  }
  return s;
}

std::string HtmlEscaper::Apply(Escaper e, std::string_view s, bool safe_html) {
  switch (e) {
    case Escaper::kUrlFilter:
      return GoUrlFilter(s);
    case Escaper::kUrlNormalizer:
      return GoUrlProcess(s, true);
    case Escaper::kUrlEscaper:
      return GoUrlProcess(s, false);
    case Escaper::kHtml:
      return GoHtmlEscape(s, safe_html);
    case Escaper::kRcdata:
      return GoRcdataEscape(s, safe_html);
    case Escaper::kAttr:
      return GoAttrEscape(s, safe_html);
    case Escaper::kNospace:
      return GoNospaceEscape(s, safe_html);
    case Escaper::kNameFilter:
      return GoHtmlNameFilter(s);
    case Escaper::kComment:
      return "";
  }
  return std::string(s);
}

Result<std::string> HtmlEscaper::Action(std::string value, bool safe_html,
                                        TrailingEscaper trailing) {
  auto escapers = EscapersForAction();
  if (!escapers.ok()) return escapers.status();
  auto apply_trailing = [&](const std::string& v) {
    return trailing == TrailingEscaper::kHtml ? HtmlEscapeString(v) : UrlQueryEscape(v);
  };
  auto equivalent = [&](Escaper e) {
    switch (trailing) {
      case TrailingEscaper::kHtml:
        return e == Escaper::kHtml || e == Escaper::kAttr || e == Escaper::kRcdata;
      case TrailingEscaper::kUrlQuery:
        return e == Escaper::kUrlEscaper || e == Escaper::kUrlNormalizer;
      case TrailingEscaper::kNone:
        break;
    }
    return false;
  };
  bool replaces = trailing != TrailingEscaper::kNone &&
                  std::any_of(escapers->begin(), escapers->end(), equivalent);
  if (trailing != TrailingEscaper::kNone && !replaces) {
    // Go keeps the trailing escaper in the pipeline, before the context's escapers.
    value = apply_trailing(value);
    safe_html = false;
  }
  for (Escaper e : *escapers) {
    value = replaces && equivalent(e) ? apply_trailing(value) : Apply(e, value, safe_html);
    safe_html = false;  // an escaper's output is plain text to the next one
  }
  return value;
}

}  // namespace tocsin::rules::tmpl
