#include "server/identity/form.h"

#include <cctype>
#include <utility>

#include "base/utf8.h"
#include "keywarden/crypto/encoding.h"

namespace keywarden::server {
namespace {

constexpr std::size_t kMaxFields = 64;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      const int high = i + 1 < text.size() ? HexDigit(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? HexDigit(text[i + 2]) : -1;
      if (high < 0 || low < 0) return InvalidArgumentError("malformed form body: a bad percent escape");
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  // Names and values are stored and compared as text in the database, whose text types hold
  // neither ill-formed UTF-8 nor NUL (PostgreSQL refuses both): refused here, on every database.
  if (!IsValidUtf8(out) || out.find('\0') != std::string::npos) {
    return InvalidArgumentError("malformed form body: a field is not UTF-8 text or holds a NUL character");
  }
  return out;
}

}  // namespace

std::string Form::Key(std::string_view name) {
  std::string key;
  for (char c : name) {
    if (c == '_') continue;
    key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return key;
}

Result<Form> Form::Parse(std::string_view body) {
  Form form;
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view pair = body.substr(start, end - start);
    if (!pair.empty()) {
      if (form.fields_.size() >= kMaxFields) return InvalidArgumentError("the form has too many fields");
      const std::size_t equals = pair.find('=');
      KW_ASSIGN_OR_RETURN(std::string name, Decode(pair.substr(0, equals)));
      std::string value;
      if (equals != std::string_view::npos) {
        KW_ASSIGN_OR_RETURN(value, Decode(pair.substr(equals + 1)));
      }
      std::string& slot = form.fields_[Key(name)];
      WipeString(slot);
      slot = std::move(value);
    }
    start = end + 1;
  }
  return form;
}

std::string_view Form::Get(std::string_view name) const {
  auto it = fields_.find(Key(name));
  return it == fields_.end() ? std::string_view() : std::string_view(it->second);
}

bool Form::Has(std::string_view name) const { return fields_.count(Key(name)) != 0; }

Form::~Form() {
  for (auto& [name, value] : fields_) WipeString(value);
}

}  // namespace keywarden::server
