// Fuzzes the CLI's argument decoding: everything it does to user text before a library call.
//
// The first byte picks a path; the rest is the argument text as read from argv, a file or stdin.
// Each path must return a Status, never crash, and keep its invariants.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cli/common/input.h"
#include "cli/common/output.h"
#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/encoding.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace keywarden;
  using namespace keywarden::cli;
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::string_view raw(reinterpret_cast<const char*>(data + 1), size - 1);

  (void)ClassifyArgument(raw);
  const std::string_view text = StripTrailingNewline(raw);
  Check(text.size() + 2 >= raw.size() && raw.starts_with(text));

  switch (selector % 4) {
    case 0: {
      auto decoded = DecodeSecretArgument(text, "--key");
      if (decoded.ok()) {
        // Strict base64: what decodes re-encodes to the same text.
        Check(Base64EncodeSecret(*decoded) == text);
      } else {
        Check(decoded.status().message().starts_with("--key: "));
      }
      break;
    }
    case 1: {
      for (KdfPolicy policy : {KdfPolicy::kClient, KdfPolicy::kServer}) {
        auto kdf = ParseKdfArgument(text, policy);
        if (kdf.ok()) {
          // An accepted spec is in range, and its canonical form parses to the same settings.
          Check((policy == KdfPolicy::kServer ? kdf->ValidateForServer() : kdf->ValidateForClient()).ok());
          auto again = ParseKdfArgument(kdf->ToString(), policy);
          Check(again.ok() && *again == *kdf);
        }
      }
      break;
    }
    case 2: {
      // EncString arguments are parsed from the same text.
      (void)EncString::Parse(text);
      (void)AsymmetricEncString::Parse(text);
      break;
    }
    case 3: {
      // Decrypted text is printed only when valid UTF-8; the printer must then accept it.
      if (IsValidUtf8(text)) {
        JsonOutput out;
        out.Add("text", std::string(text));
        Check(out.json()["text"].get_ref<const std::string&>() == text);
        Check(out.json().dump().size() >= text.size());
      }
      break;
    }
  }
  return 0;
}
