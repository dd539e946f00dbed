#include "server/vault/internal/field_path.h"

#include "server/api/field_error.h"

namespace keywarden::server::vault::internal {

Status FieldPath::Error(std::string_view predicate) const { return api::FieldErrorStatus(path_, predicate); }

FieldPath::Member::Member(FieldPath& path, std::string_view json_name) : path_(path), size_(path.path_.size()) {
  if (json_name.empty()) return;
  if (!path_.path_.empty()) path_.path_.push_back('.');
  const char first = json_name.front();
  path_.path_.push_back(first >= 'a' && first <= 'z' ? static_cast<char>(first - 'a' + 'A') : first);
  path_.path_.append(json_name.substr(1));
}

FieldPath::Index::Index(FieldPath& path, std::size_t index) : path_(path), size_(path.path_.size()) {
  path_.path_.append("[").append(std::to_string(index)).append("]");
}

}  // namespace keywarden::server::vault::internal
