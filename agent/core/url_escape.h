// Go's net/url.QueryEscape: unreserved bytes (ALPHA, DIGIT, '-', '_', '.', '~') stay, space
// becomes '+', every other byte %XX with upper-case hex. The one escaper for generator URLs,
// the `urlQueryEscape` template function and outbound query strings. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tocsin {

std::string UrlQueryEscape(std::string_view s);

}  // namespace tocsin
