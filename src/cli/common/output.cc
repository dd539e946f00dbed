#include "cli/common/output.h"

#include <unistd.h>

#include <cerrno>
#include <ostream>
#include <streambuf>

#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/secure_buffer.h"

namespace keywarden::cli {
namespace {

// A fixed-size stream target in secure memory. Serialising into it never reallocates, so no
// stale copy of the JSON is left behind in freed heap memory; overflow fails the stream.
class SecureStreamBuf : public std::streambuf {
 public:
  explicit SecureStreamBuf(SecureBuffer& buffer) {
    char* begin = reinterpret_cast<char*>(buffer.data());
    setp(begin, begin + buffer.size());
  }
  std::size_t written() const { return static_cast<std::size_t>(pptr() - pbase()); }

 protected:
  int_type overflow(int_type) override { return traits_type::eof(); }
};

// The serialised size can not exceed this: the worst escape (\u00XX) is 6 bytes per input byte.
std::size_t SerialisedBound(const nlohmann::ordered_json& object) {
  std::size_t bound = 4;  // braces, newline, slack
  for (const auto& [key, value] : object.items()) {
    bound += 6 * (key.size() + value.get_ref<const std::string&>().size()) + 6;  // quotes, colon, comma
  }
  return bound;
}

bool WriteFully(int fd, const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

void WriteLine(int fd, std::string line) {
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  line.push_back('\n');
  WriteFully(fd, reinterpret_cast<const std::uint8_t*>(line.data()), line.size());
}

}  // namespace

JsonOutput::~JsonOutput() {
  for (auto& [key, value] : object_.items()) WipeString(value.get_ref<std::string&>());
}

void JsonOutput::Add(std::string_view key, std::string value) {
  // Copied rather than moved: a moved-from short string keeps its characters in place, while
  // a copied-from one can be wiped here.
  object_[std::string(key)] = value;
  WipeString(value);
}

void JsonOutput::AddBase64(std::string_view key, std::span<const std::uint8_t> bytes) { Add(key, Base64Encode(bytes)); }

Status JsonOutput::Print(int fd) const {
  SecureBuffer text(SerialisedBound(object_));
  SecureStreamBuf buffer(text);
  std::ostream stream(&buffer);
  try {
    stream << object_ << '\n';
  } catch (const nlohmann::json::exception&) {
    return InternalError("cannot serialise the output");  // invalid UTF-8; Add's contract forbids it
  }
  if (!stream) return InternalError("cannot serialise the output");
  if (!WriteFully(fd, text.data(), buffer.written())) return InternalError("cannot write the output");
  return OkStatus();
}

bool IsValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char b = *p;
    std::size_t length;
    unsigned char low = 0x80, high = 0xbf;  // allowed range of the second byte
    if (b < 0x80) {
      ++p;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      length = 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b == 0xe0) low = 0xa0;   // overlong
      if (b == 0xed) high = 0x9f;  // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b == 0xf0) low = 0x90;   // overlong
      if (b == 0xf4) high = 0x8f;  // above U+10FFFF
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) < length) return false;
    if (p[1] < low || p[1] > high) return false;
    for (std::size_t i = 2; i < length; ++i) {
      if (p[i] < 0x80 || p[i] > 0xbf) return false;
    }
    p += length;
  }
  return true;
}

void PrintErrorLine(int fd, std::string_view context, const Status& status) {
  WriteLine(fd, "keywarden: " + std::string(context) + ": " + std::string(ErrorCodeName(status.code())) + ": " +
                    status.message());
}

void PrintUsageLine(int fd, std::string_view message) { WriteLine(fd, "keywarden: usage: " + std::string(message)); }

}  // namespace keywarden::cli
