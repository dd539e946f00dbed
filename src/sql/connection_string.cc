#include "sql/connection_string.h"

#include <algorithm>
#include <cctype>

namespace keywarden::sql {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool IsQuote(char c) { return c == '"' || c == '\''; }

// Where an error happened, without showing any value: the key before it, or the start.
std::string After(const std::vector<std::pair<std::string, std::string>>& pairs) {
  return pairs.empty() ? "at the start" : "after '" + pairs.back().first + "'";
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> ParseKeyValueConnectionString(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (text.find('\0') != std::string_view::npos) {
    return InvalidArgumentError("connection string contains a NUL character");
  }
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (true) {
    while (i < n && (IsSpace(text[i]) || text[i] == ';')) ++i;  // empty pairs are harmless
    if (i == n) break;

    // The key: up to the first '=' that is not doubled.
    std::string key;
    bool has_equals = false;
    while (i < n && text[i] != ';') {
      if (text[i] == '=') {
        if (i + 1 < n && text[i + 1] == '=') {
          key.push_back('=');
          i += 2;
          continue;
        }
        has_equals = true;
        ++i;
        break;
      }
      key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[i]))));
      ++i;
    }
    if (!has_equals) return InvalidArgumentError("connection string has a setting without '=' " + After(pairs));
    while (!key.empty() && IsSpace(key.back())) key.pop_back();
    if (key.empty()) return InvalidArgumentError("connection string has a setting without a name " + After(pairs));
    if (std::any_of(key.begin(), key.end(), [](char c) { return std::iscntrl(static_cast<unsigned char>(c)) != 0; })) {
      return InvalidArgumentError("connection string has a setting name with a control character " + After(pairs));
    }

    // The value: quoted (the quote doubled inside) or plain up to the next ';'.
    while (i < n && IsSpace(text[i])) ++i;
    std::string value;
    if (i < n && IsQuote(text[i])) {
      const char quote = text[i++];
      bool closed = false;
      while (i < n) {
        if (text[i] == quote) {
          if (i + 1 < n && text[i + 1] == quote) {
            value.push_back(quote);
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        value.push_back(text[i++]);
      }
      if (!closed) return InvalidArgumentError("connection string setting '" + key + "' has an unterminated quote");
      while (i < n && IsSpace(text[i])) ++i;
      if (i < n && text[i] != ';') {
        return InvalidArgumentError("connection string setting '" + key + "' has text after its closing quote");
      }
    } else {
      const std::size_t end = std::min(text.find(';', i), n);
      std::string_view raw = text.substr(i, end - i);
      while (!raw.empty() && IsSpace(raw.back())) raw.remove_suffix(1);
      if (!raw.empty() && IsQuote(raw.back())) {
        return InvalidArgumentError("connection string setting '" + key +
                                    "' has a quote at the end of an unquoted value; quote the whole value");
      }
      value.assign(raw);
      i = end;
    }

    if (std::any_of(pairs.begin(), pairs.end(), [&](const auto& p) { return p.first == key; })) {
      return InvalidArgumentError("connection string sets '" + key + "' twice");
    }
    pairs.emplace_back(std::move(key), std::move(value));
  }
  return pairs;
}

}  // namespace keywarden::sql
