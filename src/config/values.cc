#include "config/values.h"

#include <algorithm>
#include <charconv>

#include "base/ascii.h"

namespace keywarden::config {

Result<std::string> AsString(const RawValue& raw) {
  if (const auto* text = std::get_if<std::string>(&raw.value)) return *text;
  return InvalidArgumentError(raw.origin + " must be a string");
}

Result<std::string> AsName(const RawValue& raw) {
  KW_ASSIGN_OR_RETURN(std::string text, AsString(raw));
  return AsciiLower(text);
}

bool OneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

Status SetString(const RawValue& raw, std::string& out) {
  KW_ASSIGN_OR_RETURN(out, AsString(raw));
  return OkStatus();
}

Status SetPath(const RawValue& raw, std::string& out) {
  KW_ASSIGN_OR_RETURN(out, AsString(raw));
  if (out.empty()) return InvalidArgumentError(raw.origin + " must not be empty");
  return OkStatus();
}

Status SetBool(const RawValue& raw, bool& out) {
  if (const auto* flag = std::get_if<bool>(&raw.value)) {
    out = *flag;
    return OkStatus();
  }
  if (const auto* text = std::get_if<std::string>(&raw.value); text != nullptr && raw.is_text) {
    const std::string word = AsciiLower(*text);
    if (word == "true" || word == "false") {
      out = word == "true";
      return OkStatus();
    }
  }
  return InvalidArgumentError(raw.origin + " must be true or false");
}

// Copied straight into locked memory, without an intermediate std::string.
Status SetSecret(const RawValue& raw, std::optional<SecureBuffer>& out) {
  const auto* text = std::get_if<std::string>(&raw.value);
  if (text == nullptr) return InvalidArgumentError(raw.origin + " must be a string");
  out = SecureBuffer::CopyOf(std::string_view(*text));
  return OkStatus();
}

Status SetUnsigned(const RawValue& raw, std::uint64_t min, std::uint64_t max, std::uint64_t& out) {
  std::uint64_t number = 0;
  bool ok = false;
  if (const auto* integer = std::get_if<std::int64_t>(&raw.value); integer != nullptr && !raw.is_text) {
    ok = *integer >= 0;
    number = static_cast<std::uint64_t>(*integer);
  } else if (const auto* text = std::get_if<std::string>(&raw.value); text != nullptr && raw.is_text) {
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), number);
    ok = !text->empty() && error == std::errc() && end == text->data() + text->size();
  }
  if (!ok || number < min || number > max) {
    return InvalidArgumentError(raw.origin + " must be an integer from " + std::to_string(min) + " to " +
                                std::to_string(max));
  }
  out = number;
  return OkStatus();
}

Result<net::HttpUrl> ParseUrlSetting(std::string_view text, std::string_view origin) {
  auto url = net::ParseHttpUrl(text);
  if (!url.ok()) {
    return InvalidArgumentError(std::string(origin) + " must be an absolute http(s) URL: " + url.status().message());
  }
  return url;
}

}  // namespace keywarden::config
