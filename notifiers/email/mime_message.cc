#include "notifiers/email/mime_message.h"

#include <cstdint>
#include <ctime>
#include <random>

#include "agent/core/utf8.h"

namespace tocsin {
namespace {

constexpr char kUpperHex[] = "0123456789ABCDEF";
constexpr size_t kMaxEncodedWordContent = 75 - std::string_view("=?UTF-8?q?").size() - 2;
constexpr size_t kQpLineMax = 76;

bool NeedsEncoding(std::string_view s) {
  for (unsigned char b : s) {
    if ((b < ' ' || b > '~') && b != '\t') return true;
  }
  return false;
}

void WriteQ(std::string& out, std::string_view s) {
  for (unsigned char b : s) {
    if (b == ' ') {
      out += '_';
    } else if (b >= '!' && b <= '~' && b != '=' && b != '?' && b != '_') {
      out += static_cast<char>(b);
    } else {
      out += '=';
      out += kUpperHex[b >> 4];
      out += kUpperHex[b & 0x0F];
    }
  }
}

// Go's quotedprintable.Writer, a byte at a time.
class QpWriter {
 public:
  explicit QpWriter(std::string& out) : out_(out) {}

  void Write(std::string_view p) {
    for (unsigned char b : p) {
      bool literal =
          (b >= '!' && b <= '~' && b != '=') || b == ' ' || b == '\t' || b == '\n' || b == '\r';
      if (literal) {
        WriteLiteral(b);
      } else {
        Encode(b);
      }
    }
  }
  void Close() {
    CheckLastByte();
    Flush();
  }

 private:
  void WriteLiteral(unsigned char b) {
    if (b == '\n' || b == '\r') {
      if (cr_ && b == '\n') {
        cr_ = false;
        return;
      }
      cr_ = b == '\r';
      CheckLastByte();
      line_ += "\r\n";
      Flush();
      return;
    }
    if (line_.size() == kQpLineMax - 1) SoftBreak();
    line_ += static_cast<char>(b);
    cr_ = false;
  }
  void Encode(unsigned char b) {
    if (kQpLineMax - 1 - line_.size() < 3) SoftBreak();
    line_ += '=';
    line_ += kUpperHex[b >> 4];
    line_ += kUpperHex[b & 0x0F];
  }
  void CheckLastByte() {
    if (line_.empty()) return;
    unsigned char b = static_cast<unsigned char>(line_.back());
    if (b == ' ' || b == '\t') {
      line_.pop_back();
      Encode(b);
    }
  }
  void SoftBreak() {
    line_ += "=\r\n";
    Flush();
  }
  void Flush() {
    out_ += line_;
    line_.clear();
  }

  std::string& out_;
  std::string line_;
  bool cr_ = false;
};

}  // namespace

std::string MimeQEncode(std::string_view value) {
  if (!NeedsEncoding(value)) return std::string(value);
  std::string valid(value);
  SanitizeUtf8InPlace(valid);  // a rune split across encoded words would not decode
  std::string out = "=?utf-8?q?";
  size_t current = 0;
  for (size_t i = 0; i < valid.size();) {
    unsigned char b = static_cast<unsigned char>(valid[i]);
    size_t rune_len = 1;
    size_t enc_len = 1;
    if (!(b >= ' ' && b <= '~' && b != '=' && b != '?' && b != '_')) {
      rune_len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
      rune_len = std::min(rune_len, valid.size() - i);
      enc_len = 3 * rune_len;
    }
    if (current + enc_len > kMaxEncodedWordContent) {
      out += "?=\r\n =?utf-8?q?";
      current = 0;
    }
    WriteQ(out, std::string_view(valid).substr(i, rune_len));
    current += enc_len;
    i += rune_len;
  }
  out += "?=";
  return out;
}

std::string QuotedPrintable(std::string_view body) {
  std::string out;
  QpWriter w(out);
  w.Write(body);
  w.Close();
  return out;
}

std::string SerializeMimeMessage(const MimeMessage& m) {
  std::string out;
  for (const auto& [name, value] : m.headers) out += name + ": " + MimeQEncode(value) + "\r\n";
  out += "Content-Type: multipart/alternative; boundary=" + m.boundary + "\r\n";
  out += "MIME-Version: 1.0\r\n\r\n";
  bool first = true;
  auto part = [&](const char* content_type, const std::string& body) {
    out += first ? "--" : "\r\n--";
    out += m.boundary + "\r\n";
    first = false;
    // Go's multipart writes a part's headers sorted by name.
    out += "Content-Transfer-Encoding: quoted-printable\r\n";
    out += std::string("Content-Type: ") + content_type + "\r\n\r\n";
    out += QuotedPrintable(body);
  };
  if (!m.text.empty()) part("text/plain; charset=UTF-8", m.text);
  if (!m.html.empty()) part("text/html; charset=UTF-8", m.html);
  out += "\r\n--" + m.boundary + "--\r\n";
  return out;
}

std::string Rfc1123zDate(int64_t unix_ms) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  long offset_min = tm.tm_gmtoff / 60;
  char sign = offset_min < 0 ? '-' : '+';
  if (offset_min < 0) offset_min = -offset_min;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
                sign, offset_min / 60, offset_min % 60);
  return buf;
}

std::string RandomHex(size_t bytes) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes; ++i) {
    auto b = static_cast<unsigned>(rng() & 0xFF);
    out += kHex[b >> 4];
    out += kHex[b & 0x0F];
  }
  return out;
}

}  // namespace tocsin
