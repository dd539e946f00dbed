// The property every server body parser keeps when it refuses: a refusal is kInvalidArgument
// naming a field (api/field_error.h), which RequestErrorResponse answers with a 400.
#ifndef KEYWARDEN_FUZZ_FIELD_ERROR_REQUIRE_H_
#define KEYWARDEN_FUZZ_FIELD_ERROR_REQUIRE_H_

#include "fuzz_require.h"
#include "keywarden/status.h"
#include "server/api/field_error.h"

namespace keywarden::fuzz {

inline void RequireFieldError(const Status& status) {
  Require(status.code() == ErrorCode::kInvalidArgument, "a refused body must be an invalid argument");
  Require(server::api::AsFieldError(status).has_value(), "a refusal must name a field");
  Require(server::api::RequestErrorResponse(status).status == 400, "a refusal must answer 400");
}

}  // namespace keywarden::fuzz

#endif  // KEYWARDEN_FUZZ_FIELD_ERROR_REQUIRE_H_
