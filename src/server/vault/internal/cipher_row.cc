#include "server/vault/internal/cipher_row.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keywarden::server::vault::internal {
namespace {

// `text` into `field`, reusing its buffer; empty text is no value.
void AssignOptional(std::string_view text, std::optional<std::string>& field) {
  if (text.empty()) {
    field.reset();
  } else if (field.has_value()) {
    field->assign(text);
  } else {
    field.emplace(text);
  }
}

}  // namespace

Status ReadCipherRow(const sql::RowView& row, StoredCipher& c) {
  c.id.assign(row.Text(0));
  AssignOptional(row.Text(1), c.user_id);
  AssignOptional(row.Text(2), c.organization_id);
  KW_ASSIGN_OR_RETURN(std::int64_t type, row.Int(3));
  c.type = static_cast<int>(type);
  c.data.assign(row.Text(4));
  AssignOptional(row.Text(5), c.folder_id);
  KW_ASSIGN_OR_RETURN(std::int64_t favorite, row.Int(6));
  c.favorite = favorite != 0;
  KW_ASSIGN_OR_RETURN(std::int64_t reprompt, row.Int(7));
  c.reprompt = static_cast<int>(reprompt);
  KW_ASSIGN_OR_RETURN(c.creation_date, row.Int(8));
  KW_ASSIGN_OR_RETURN(c.revision_date, row.Int(9));
  c.deleted_date = row.OptionalInt(10);
  c.archived_date = row.OptionalInt(11);
  return OkStatus();
}

}  // namespace keywarden::server::vault::internal
