// The RFC 5322 / MIME message of an email notification, written as Alertmanager's notify/email
// writes it with Go's mime packages: header values as RFC 2047 Q-encoded words when they hold
// anything but printable ASCII (mime.QEncoding, so a template cannot inject a header line), a
// Message-Id, Date (RFC 1123 with a numeric zone), a multipart/alternative body whose parts
// (text/plain, then text/html: the preferred one last, RFC 2046 5.1.4) are quoted-printable
// (mime/quotedprintable). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin {

// mime.QEncoding.Encode("utf-8", value): the value itself when it is printable ASCII (tabs
// allowed), else encoded-words of at most 75 characters. Tocsin folds between encoded words
// (CRLF + space) where Go separates them with a space, so no header line passes 998 octets.
std::string MimeQEncode(std::string_view value);

// mime/quotedprintable's Writer (text mode): lines of at most 76 characters with soft breaks,
// '=' and bytes outside printable ASCII as =XX, whitespace before a line end encoded, any line
// end written as CRLF.
std::string QuotedPrintable(std::string_view body);

struct MimeMessage {
  // Already expanded, in the order written; values are Q-encoded on output.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string text;      // empty: no text/plain part
  std::string html;      // empty: no text/html part
  std::string boundary;  // Go's multipart: 60 hex digits
};

// The whole message, CRLF line ends, ready for SMTP DATA (not yet dot-stuffed).
std::string SerializeMimeMessage(const MimeMessage& message);

// RFC 1123 with a numeric zone (Go's time.RFC1123Z) in the local time zone:
// "Mon, 02 Jan 2006 15:04:05 -0700".
std::string Rfc1123zDate(int64_t unix_ms);

// `bytes` random bytes as lower-case hex (multipart boundaries, Message-Ids).
std::string RandomHex(size_t bytes);

}  // namespace tocsin
