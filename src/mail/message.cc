#include "mail/message.h"

#include <time.h>

#include <array>
#include <cstdint>
#include <ctime>

#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"

namespace keywarden::mail {
namespace {

constexpr std::string_view kCrlf = "\r\n";
// RFC 5322's recommended line length; a header that would not fit is encoded into words that do.
constexpr std::size_t kHeaderLineLength = 78;
// Bytes of text per RFC 2047 word: 48 base64 characters, a 60-character word, so that even the
// first one stays within kHeaderLineLength after "Subject: ".
constexpr std::size_t kEncodedWordBytes = 36;
// RFC 2045: encoded lines of at most 76 characters, one of them the soft break's '='.
constexpr std::size_t kQuotedPrintableLine = 75;

bool IsAtext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool IsDotAtom(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  char previous = 0;
  for (char c : text) {
    if (c == '.' ? previous == '.' : !IsAtext(c)) return false;
    previous = c;
  }
  return true;
}

bool IsDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  std::size_t start = 0;
  while (start <= domain.size()) {
    std::size_t end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    const std::string_view label = domain.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    start = end + 1;
  }
  return true;
}

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      ++i;
      continue;
    }
    // The sequence's length, the lead byte's payload and the least code point it may encode.
    std::size_t length = 4;
    std::uint32_t code = byte & 0x07;
    std::uint32_t min = 0x10000;
    if ((byte & 0xE0) == 0xC0) {
      length = 2;
      code = byte & 0x1F;
      min = 0x80;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      code = byte & 0x0F;
      min = 0x800;
    } else if ((byte & 0xF8) != 0xF0) {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

bool IsPlainAscii(std::string_view text) {
  for (char c : text) {
    if (c < ' ' || c > '~') return false;
  }
  return true;
}

// RFC 2047 "B" words of whole UTF-8 characters, joined by folding white space (which a reader
// drops between two encoded words, so the text comes back exactly).
std::string EncodedWords(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.size(), start + kEncodedWordBytes);
    while (end < text.size() && end > start && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64Encode(AsBytes(text.substr(start, end - start))) + "?=";
    start = end;
  }
  return out;
}

// A header's value as it may be written after "Name: ": as it is when it is plain ASCII that
// fits on the line and cannot be mistaken for an encoded word, else encoded words.
std::string HeaderText(std::string_view name, std::string_view text) {
  const bool fits = name.size() + 2 + text.size() <= kHeaderLineLength;
  if (fits && IsPlainAscii(text) && text.find("=?") == std::string_view::npos) return std::string(text);
  return EncodedWords(text);
}

// "name" <address>, the name a quoted string when plain ASCII, else encoded words.
std::string MailboxText(const Mailbox& mailbox) {
  if (mailbox.name.empty()) return mailbox.address;
  std::string name;
  if (IsPlainAscii(mailbox.name) && mailbox.name.find("=?") == std::string::npos &&
      mailbox.name.size() + mailbox.address.size() + 12 <= kHeaderLineLength) {
    name = "\"";
    for (char c : mailbox.name) {
      if (c == '"' || c == '\\') name += '\\';
      name += c;
    }
    name += '"';
  } else {
    name = EncodedWords(mailbox.name);
  }
  return name + " <" + mailbox.address + ">";
}

// RFC 5322 date-time in UTC: "Tue, 05 Mar 2024 14:07:09 +0000", in English whatever the locale.
std::string DateText(TimePoint date) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(date);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[utc.tm_wday % 7], utc.tm_mday,
                kMonths[utc.tm_mon % 12], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

Result<std::string> RandomHex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  KW_RETURN_IF_ERROR(RandomBytes({reinterpret_cast<std::uint8_t*>(raw.data()), raw.size()}));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : raw) {
    out += kHex[byte >> 4];
    out += kHex[byte & 0x0F];
  }
  return out;
}

// RFC 2045 quoted-printable of UTF-8 text. Each line break of the input, whichever it is,
// becomes CRLF; lines are split by soft breaks so that no encoded line passes 76 characters;
// '=', control characters, bytes above 0x7E and white space before a line's end are encoded.
std::string QuotedPrintable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t column = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += kCrlf;
      column = 0;
      continue;
    }
    const bool line_end = i + 1 == text.size() || text[i + 1] == '\r' || text[i + 1] == '\n';
    const bool literal = (c >= '!' && c <= '~' && c != '=') || ((c == ' ' || c == '\t') && !line_end);
    const auto byte = static_cast<unsigned char>(c);
    const std::string token = literal ? std::string(1, c) : std::string{'=', kHex[byte >> 4], kHex[byte & 0x0F]};
    if (column + token.size() > kQuotedPrintableLine) {
      out += "=\r\n";
      column = 0;
    }
    out += token;
    column += token.size();
  }
  return out;
}

bool EndsWithCrlf(std::string_view text) { return text.size() >= 2 && text.substr(text.size() - 2) == kCrlf; }

// A part's headers, a blank line and its encoded body, which ends with CRLF only when the text
// ends with a line break. The caller adds the CRLF that ends a single part's last line, or the
// one before a multipart's next boundary, which RFC 2046 counts as the boundary's, not the text's.
std::string Part(std::string_view type, std::string_view body) {
  return "Content-Type: " + std::string(type) +
         "; charset=utf-8\r\n"
         "Content-Transfer-Encoding: quoted-printable\r\n"
         "\r\n" +
         QuotedPrintable(body);
}

}  // namespace

bool IsValidAddress(std::string_view address) {
  if (address.size() > 254) return false;
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  return IsDotAtom(address.substr(0, at)) && IsDomain(address.substr(at + 1));
}

bool IsValidHeaderText(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
  }
  return IsValidUtf8(text);
}

Status CheckMessage(const Message& message) {
  if (!IsValidAddress(message.to)) return InvalidArgumentError("the recipient address is not valid");
  if (!IsValidHeaderText(message.subject)) {
    return InvalidArgumentError(IsValidUtf8(message.subject) ? "the subject contains a line break or control character"
                                                             : "the subject is not valid UTF-8");
  }
  if (message.text.empty()) return InvalidArgumentError("the message has no plain text");
  if (!IsValidUtf8(message.text)) return InvalidArgumentError("the plain text is not valid UTF-8");
  if (!IsValidUtf8(message.html)) return InvalidArgumentError("the HTML is not valid UTF-8");
  return OkStatus();
}

Result<std::string> RenderMessage(const Message& message, const Mailbox& from, TimePoint date) {
  KW_RETURN_IF_ERROR(CheckMessage(message));
  if (!IsValidAddress(from.address)) return InvalidArgumentError("the sender address is not valid");
  if (!IsValidHeaderText(from.name)) return InvalidArgumentError("the sender's name is not valid header text");

  KW_ASSIGN_OR_RETURN(std::string id, RandomHex(16));
  const std::string domain = from.address.substr(from.address.rfind('@') + 1);
  std::string out;
  out += "Date: " + DateText(date) + "\r\n";
  out += "From: " + MailboxText(from) + "\r\n";
  out += "To: " + message.to + "\r\n";
  out += "Subject: " + HeaderText("Subject", message.subject) + "\r\n";
  out += "Message-ID: <" + id + "@" + domain + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  if (message.html.empty()) {
    out += Part("text/plain", message.text);
    if (!EndsWithCrlf(out)) out += kCrlf;  // SMTP carries lines: the last one ends too
    return out;
  }
  // "=_" cannot occur in quoted-printable text, so the boundary never meets a body line.
  KW_ASSIGN_OR_RETURN(std::string random, RandomHex(12));
  const std::string boundary = "=_" + random;
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\n" + Part("text/plain", message.text);
  out += "\r\n--" + boundary + "\r\n" + Part("text/html", message.html);
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

}  // namespace keywarden::mail
