// application/x-www-form-urlencoded bodies, as the token endpoint receives them.
//
// Names are matched without regard to case or underscores: the official clients send
// `deviceIdentifier`, others `device_identifier` or `DeviceIdentifier`, and the reference reads
// all of them. A repeated name keeps its last value.
#ifndef KEYWARDEN_SERVER_IDENTITY_FORM_H_
#define KEYWARDEN_SERVER_IDENTITY_FORM_H_

#include <map>
#include <string>
#include <string_view>

#include "keywarden/status.h"

namespace keywarden::server {

class Form {
 public:
  // kInvalidArgument for a malformed percent escape, a name or value that is not UTF-8 text or
  // holds a NUL character, or more than 64 fields.
  static Result<Form> Parse(std::string_view body);

  // The value of `name` (compared as described above), or "" when absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;

  // Wipes the values (the form carries passwords and secrets).
  ~Form();
  Form() = default;
  Form(Form&&) noexcept = default;
  Form& operator=(Form&&) noexcept = default;

 private:
  static std::string Key(std::string_view name);
  std::map<std::string, std::string> fields_;
};

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_IDENTITY_FORM_H_
