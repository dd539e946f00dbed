// The rules the reference applies before a member joins or returns: the single-organisation and
// two-step login policies, as they bind that member (owners and admins are exempt from both).
#ifndef KEYWARDEN_SERVER_ORGANIZATIONS_INTERNAL_MEMBER_CHECKS_H_
#define KEYWARDEN_SERVER_ORGANIZATIONS_INTERNAL_MEMBER_CHECKS_H_

#include <string>
#include <string_view>

#include "keywarden/status.h"
#include "server/organizations/member_store.h"
#include "sql/database.h"

namespace keywarden::server::organizations::internal {

enum class JoinStep { kAccept, kConfirm, kRestore };

// OK, or kInvalidArgument with the reference's message for `step`, when the account `user_id`
// (address `email`) may not become or stay an active member as `member`: the organisation's
// single-organisation policy while the account belongs to another organisation, another
// organisation's that binds the account, or the organisation's two-step login policy while the
// account has no two-step login.
Status CheckMayJoin(sql::Session& session, const Member& member, std::string_view user_id, std::string_view email,
                    JoinStep step);

}  // namespace keywarden::server::organizations::internal

#endif  // KEYWARDEN_SERVER_ORGANIZATIONS_INTERNAL_MEMBER_CHECKS_H_
