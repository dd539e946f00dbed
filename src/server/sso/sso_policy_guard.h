// The policies an enabled single sign-on configuration depends on stay on (the reference's
// policy event handlers and PolicyEventHandlerHelpers), each refusal a 400 with its message:
//
//   trusted devices: account recovery (8) cannot be turned off or lose automatic enrolment, and
//                    require single sign-on (4) cannot be turned off:
//                    "Trusted device encryption is on and requires this policy."
//   Key Connector:   require single sign-on (4) and single organisation (3) cannot be turned off:
//                    "Key Connector is enabled and requires this policy."
//
// A disabled configuration holds nothing. Runs inside the policy save's unit of work.
#ifndef KEYWARDEN_SERVER_SSO_SSO_POLICY_GUARD_H_
#define KEYWARDEN_SERVER_SSO_SSO_POLICY_GUARD_H_

#include <string_view>

#include "keywarden/status.h"
#include "server/organizations/policy_json.h"
#include "sql/database.h"

namespace keywarden::server::sso {

// OK, or kInvalidArgument with the message above for saving `update` as policy `type`.
Status CheckPolicyChange(sql::Session& session, std::string_view organization_id, int type,
                         const organizations::PolicyUpdate& update);

}  // namespace keywarden::server::sso

#endif  // KEYWARDEN_SERVER_SSO_SSO_POLICY_GUARD_H_
