// What the command line prints: one JSON object on stdout when a verb succeeds, one line on
// stderr when it fails.
//
// The JSON carries keys, so its values live only as long as the JsonOutput, are wiped with it,
// and are serialised into secure memory that is written straight to the file descriptor (no
// stdio buffer keeps a copy) and wiped.
#ifndef KEYWARDEN_CLI_COMMON_OUTPUT_H_
#define KEYWARDEN_CLI_COMMON_OUTPUT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "keywarden/status.h"

namespace keywarden::cli {

class JsonOutput {
 public:
  JsonOutput() = default;
  ~JsonOutput();
  JsonOutput(const JsonOutput&) = delete;
  JsonOutput& operator=(const JsonOutput&) = delete;

  // `value` must be valid UTF-8 (see IsValidUtf8); fields print in the order they are added.
  void Add(std::string_view key, std::string value);
  // Standard base64 of `bytes`.
  void AddBase64(std::string_view key, std::span<const std::uint8_t> bytes);

  // Writes the object and a newline to `fd` in one piece, or nothing if serialising fails.
  Status Print(int fd) const;

  const nlohmann::ordered_json& json() const { return object_; }

 private:
  nlohmann::ordered_json object_ = nlohmann::ordered_json::object();
};

// RFC 3629 UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view text);

// "keywarden: <context>: <code name>: <message>" as one line on `fd` (line breaks in the
// message become spaces, so a caller reading stderr line by line sees exactly one line).
void PrintErrorLine(int fd, std::string_view context, const Status& status);
// "keywarden: usage: <message>" as one line, for command-line errors found by the parser.
void PrintUsageLine(int fd, std::string_view message);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_COMMON_OUTPUT_H_
