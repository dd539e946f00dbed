// Writing JSON text by hand, for the vault's stored data and its responses.
//
// The sync answer is rendered by appending to one string (no DOM), so these are the only
// places that decide how a value is spelt. Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_VAULT_INTERNAL_JSON_TEXT_H_
#define KEYWARDEN_SERVER_VAULT_INTERNAL_JSON_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keywarden::server::vault::internal {

// `text` as a JSON string literal: '"', '\' and control characters escaped, every other byte
// copied (the text is expected to be UTF-8, as nlohmann's parser guarantees for its strings).
void AppendJsonString(std::string_view text, std::string& out);

// The string literal, or null.
void AppendJsonStringOrNull(const std::optional<std::string>& text, std::string& out);

void AppendJsonInteger(std::int64_t value, std::string& out);

inline void AppendJsonBool(bool value, std::string& out) { out.append(value ? "true" : "false"); }

}  // namespace keywarden::server::vault::internal

#endif  // KEYWARDEN_SERVER_VAULT_INTERNAL_JSON_TEXT_H_
