// The path of the request field being read, spelt as field errors name it
// ("Cipher.Login.Uris[0].Uri"), built while a parser descends into the body.
//
// Not thread-safe: one per parse.
#ifndef KEYWARDEN_SERVER_VAULT_INTERNAL_FIELD_PATH_H_
#define KEYWARDEN_SERVER_VAULT_INTERNAL_FIELD_PATH_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "keywarden/status.h"

namespace keywarden::server::vault::internal {

class FieldPath {
 public:
  // `root` prefixes every field ("Cipher" for the wrapped bodies), or nothing.
  explicit FieldPath(std::string_view root = {}) : path_(root) {}
  FieldPath(const FieldPath&) = delete;
  FieldPath& operator=(const FieldPath&) = delete;

  const std::string& str() const { return path_; }

  // The field error "<path> <predicate>" (server/vault/field_error.h).
  Status Error(std::string_view predicate) const;

  // For its lifetime, the path names member `json_name` of the current object, with its first
  // letter upper-cased as the reference's model binding spells it ("uris" -> ".Uris").
  class Member {
   public:
    Member(FieldPath& path, std::string_view json_name);
    ~Member() { path_.path_.resize(size_); }
    Member(const Member&) = delete;
    Member& operator=(const Member&) = delete;

   private:
    FieldPath& path_;
    std::size_t size_;
  };

  // For its lifetime, the path names element `index` of the current array ("[3]").
  class Index {
   public:
    Index(FieldPath& path, std::size_t index);
    ~Index() { path_.path_.resize(size_); }
    Index(const Index&) = delete;
    Index& operator=(const Index&) = delete;

   private:
    FieldPath& path_;
    std::size_t size_;
  };

 private:
  std::string path_;
};

}  // namespace keywarden::server::vault::internal

#endif  // KEYWARDEN_SERVER_VAULT_INTERNAL_FIELD_PATH_H_
