#include "cli/common/input.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "keywarden/crypto/encoding.h"

namespace keywarden::cli {
namespace {

// Reads `fd` to its end into secure memory. Growing copies the old buffer into a larger
// one; the old one is wiped when it is dropped, so no partial copy lingers on the heap.
Result<SecureBuffer> ReadAll(int fd) {
  SecureBuffer buffer(4096);
  std::size_t used = 0;
  for (;;) {
    if (used == buffer.size()) {
      if (buffer.size() >= kMaxInputBytes) return InvalidArgumentError("input is larger than 16 MiB");
      SecureBuffer larger(std::min(buffer.size() * 2, kMaxInputBytes));
      std::copy_n(buffer.data(), used, larger.data());
      buffer = std::move(larger);
    }
    const ssize_t n = ::read(fd, buffer.data() + used, buffer.size() - used);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return InvalidArgumentError("read failed");
    }
    used += static_cast<std::size_t>(n);
  }
  buffer.Truncate(used);
  return buffer;
}

void StripInPlace(SecureBuffer& content) { content.Truncate(StripTrailingNewline(content.view()).size()); }

}  // namespace

ArgumentSource ClassifyArgument(std::string_view raw) {
  if (raw == "-") return ArgumentSource::kStdin;
  if (!raw.empty() && raw.front() == '@') return ArgumentSource::kFile;
  return ArgumentSource::kLiteral;
}

std::string_view StripTrailingNewline(std::string_view content) {
  if (content.ends_with("\r\n")) return content.substr(0, content.size() - 2);
  if (content.ends_with('\n')) return content.substr(0, content.size() - 1);
  return content;
}

Result<SecureBuffer> DecodeSecretArgument(std::string_view text, std::string_view flag) {
  auto decoded = Base64DecodeSecret(text);
  // The decoder's message is generic; the flag tells the user which argument to fix.
  if (!decoded.ok()) return decoded.status().WithContext(flag);
  return decoded;
}

Result<KdfConfig> ParseKdfArgument(std::string_view text, KdfPolicy policy) {
  KW_ASSIGN_OR_RETURN(KdfConfig kdf, KdfConfig::Parse(text));
  KW_RETURN_IF_ERROR(policy == KdfPolicy::kServer ? kdf.ValidateForServer() : kdf.ValidateForClient());
  return kdf;
}

ArgumentReader::ArgumentReader(std::map<std::string, std::string, std::less<>> values, int stdin_fd)
    : values_(std::move(values)), stdin_fd_(stdin_fd) {}

ArgumentReader::~ArgumentReader() {
  // The raw values include literal secrets.
  for (auto& [flag, raw] : values_) WipeString(raw);
}

bool ArgumentReader::Has(std::string_view flag) const { return values_.find(flag) != values_.end(); }

Result<SecureBuffer> ArgumentReader::Text(std::string_view flag) {
  const auto it = values_.find(flag);
  if (it == values_.end()) return InvalidArgumentError(std::string(flag) + " is required");
  return Read(flag, it->second);
}

Result<SecureBuffer> ArgumentReader::Bytes(std::string_view flag) {
  KW_ASSIGN_OR_RETURN(SecureBuffer text, Text(flag));
  return DecodeSecretArgument(text.view(), flag);
}

Result<SecureBuffer> ArgumentReader::Read(std::string_view flag, std::string_view raw) {
  switch (ClassifyArgument(raw)) {
    case ArgumentSource::kLiteral: return SecureBuffer::CopyOf(raw);
    case ArgumentSource::kStdin: {
      if (stdin_used_) {
        return InvalidArgumentError(std::string(flag) + ": only one argument can read standard input (-)");
      }
      stdin_used_ = true;
      auto content = ReadAll(stdin_fd_);
      if (!content.ok()) return content.status().WithContext(flag);
      StripInPlace(*content);
      return content;
    }
    case ArgumentSource::kFile: {
      // The message never repeats the path: for a secret that happens to begin with '@' (a
      // password typed on the command line), the "path" is the secret itself.
      const std::string what = std::string(flag) +
                               ": cannot read the file named after its '@' (a value that begins with '@' is read "
                               "from that file; give such a value through a file or standard input)";
      std::string path(raw.substr(1));
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      const int open_error = errno;
      WipeString(path);
      if (fd < 0) return InvalidArgumentError(what + ": " + std::strerror(open_error));
      auto content = ReadAll(fd);
      ::close(fd);
      if (!content.ok()) return InvalidArgumentError(what + ": " + content.status().message());
      StripInPlace(*content);
      return content;
    }
  }
  return InternalError("unreachable");
}

}  // namespace keywarden::cli
