// The Key Connector's claim policy: the reference Key Connector's rules, made stricter.
//
// A token from the configured identity server (exact `iss`), for the configured audience if one
// is set (the reference checks none), with scope "api" as a JSON array and amr "Application"
// (a password login) or "external" (single sign-on), valid for at most `max_lifetime` (the
// reference accepts any lifetime; the identity server's access tokens last an hour by default).
#ifndef KEYWARDEN_CONNECTOR_CLAIM_POLICY_H_
#define KEYWARDEN_CONNECTOR_CLAIM_POLICY_H_

#include <chrono>
#include <optional>
#include <string>

#include "auth/claim_policy.h"

namespace keywarden::connector {

auth::ClaimPolicy KeyConnectorClaimPolicy(std::string issuer, std::optional<std::string> audience,
                                          std::chrono::seconds clock_skew, std::chrono::seconds max_lifetime);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_CLAIM_POLICY_H_
