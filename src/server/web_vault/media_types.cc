#include "server/web_vault/media_types.h"

#include <array>
#include <cctype>
#include <utility>

namespace keywarden::server::web_vault {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 28> kTypes = {{
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"map", "application/json; charset=utf-8"},
    {"webmanifest", "application/manifest+json; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"xml", "application/xml; charset=utf-8"},
    {"wasm", "application/wasm"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/x-icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"eot", "application/vnd.ms-fontobject"},
    {"mp3", "audio/mpeg"},
    {"wav", "audio/wav"},
    {"pdf", "application/pdf"},
    {"zip", "application/zip"},
}};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// At least 8 hex digits, one of them a decimal digit (so that words such as "deadbeef" or
// "accessed" are not taken for hashes; a real hash of 8 or more digits lacks one rarely).
bool IsHexHash(std::string_view part) {
  if (part.size() < 8) return false;
  bool decimal = false;
  for (char c : part) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    decimal = decimal || std::isdigit(static_cast<unsigned char>(c));
  }
  return decimal;
}

}  // namespace

std::string_view MediaTypeFor(std::string_view file_name) {
  const std::size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  const std::string_view extension = file_name.substr(dot + 1);
  for (const auto& [known, type] : kTypes) {
    if (EqualsIgnoreCase(extension, known)) return type;
  }
  return "application/octet-stream";
}

bool IsFingerprinted(std::string_view file_name) {
  const std::size_t first = file_name.find('.');
  const std::size_t last = file_name.rfind('.');
  if (first == std::string_view::npos || first == last) return false;
  std::string_view middle = file_name.substr(first + 1, last - first - 1);  // "3f2a9c1b0d" or "chunk.3f2a9c1b0d"
  while (true) {
    const std::size_t dot = middle.find('.');
    if (IsHexHash(middle.substr(0, dot))) return true;
    if (dot == std::string_view::npos) return false;
    middle.remove_prefix(dot + 1);
  }
}

}  // namespace keywarden::server::web_vault
