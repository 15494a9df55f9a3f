// HtmlEscaper: Go html/template's contextual autoescaping, applied while a template runs.
//
// Go's html/template analyses the parse tree once and rewrites each action to pipe its value
// through the escapers of the HTML context it sits in (text, RCDATA, a quoted or unquoted
// attribute, a URL attribute before or after its '?'). tocsin executes templates directly, so
// the executor tracks the same context at run time instead: template text advances it
// (Text()), an action's value is escaped for it (Action()). The transitions and escapers are
// Go 1.19's (transition.go, html.go, url.go): a '<' that starts no tag becomes "&lt;", HTML
// comments in template text are dropped, URL attributes are filtered ("#ZgotmplZ" for an
// unsafe scheme) and normalised, a trailing `html`/`urlquery` in a pipeline replaces the
// escaper it is equivalent to. Not modelled: JavaScript and CSS (actions inside <script>,
// <style>, on* or style attributes are an error instead of being escaped for JS/CSS) and
// srcset; Go's static checks for branches ending in different contexts (at run time only the
// branch taken counts).
//
// One escaper per execution; not thread-safe; owns nothing.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/core/status.h"

namespace tocsin::rules::tmpl {

// The pipeline's trailing predefined escaper, whose output stands in for an equivalent
// context escaper (Go's ensurePipelineContains).
enum class TrailingEscaper { kNone, kHtml, kUrlQuery };

class HtmlEscaper {
 public:
  // Template text as html/template rewrites it; advances the context.
  Result<std::string> Text(std::string_view text);
  // An action's value: `value` is what the pipeline gives before its trailing `html` or
  // `urlquery` (the whole pipeline's value when `trailing` is kNone); `safe_html` when it is
  // template.HTML (safeHtml).
  Result<std::string> Action(std::string value, bool safe_html, TrailingEscaper trailing);

  enum class State {
    kText,
    kTag,
    kAttrName,
    kAfterName,
    kBeforeValue,
    kHtmlComment,
    kRcdata,
    kAttr,
    kUrl,
    kSrcset,
    kJs,
    kCss,
    kError,
  };
  enum class Delim { kNone, kDoubleQuote, kSingleQuote, kSpaceOrTagEnd };
  enum class UrlPart { kNone, kPreQuery, kQueryOrFragment };
  enum class Element { kNone, kScript, kStyle, kTextarea, kTitle };
  enum class Attr { kNone, kScript, kScriptType, kStyle, kUrl, kSrcset };
  struct Context {
    State state = State::kText;
    Delim delim = Delim::kNone;
    UrlPart url_part = UrlPart::kNone;
    Element element = Element::kNone;
    Attr attr = Attr::kNone;
    std::string error;  // kError: why
  };

 private:
  enum class Escaper {
    kUrlFilter,
    kUrlNormalizer,
    kUrlEscaper,
    kHtml,
    kRcdata,
    kAttr,
    kNospace,
    kNameFilter,
    kComment
  };
  // The escapers Go inserts for an action in the current context (after nudging it).
  Result<std::vector<Escaper>> EscapersForAction();
  static std::string Apply(Escaper e, std::string_view s, bool safe_html);
  // One step of Go's contextAfterText: the new context and how many bytes it consumed.
  std::pair<Context, size_t> AfterText(const Context& c, std::string_view s) const;

  Context c_;
};

// Go's template.HTMLEscapeString (text/template's `html`): < > & ' " and NUL.
std::string HtmlEscapeString(std::string_view s);

// The escaper functions, exposed for tests: `safe_html` marks template.HTML input.
std::string GoHtmlEscape(std::string_view s, bool safe_html);     // text
std::string GoAttrEscape(std::string_view s, bool safe_html);     // quoted attribute
std::string GoRcdataEscape(std::string_view s, bool safe_html);   // <title>, <textarea>
std::string GoNospaceEscape(std::string_view s, bool safe_html);  // unquoted attribute
std::string GoUrlFilter(std::string_view s);                      // "#ZgotmplZ" when unsafe
std::string GoUrlProcess(std::string_view s, bool normalize);     // urlNormalizer/urlEscaper
std::string GoHtmlNameFilter(std::string_view s);

}  // namespace tocsin::rules::tmpl
