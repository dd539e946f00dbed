#include "connector/claim_policy.h"

#include <utility>

namespace keywarden::connector {

auth::ClaimPolicy KeyConnectorClaimPolicy(std::string issuer, std::optional<std::string> audience,
                                          std::chrono::seconds clock_skew, std::chrono::seconds max_lifetime) {
  auth::ClaimPolicy policy;
  policy.issuer = std::move(issuer);
  policy.audience = std::move(audience);
  policy.clock_skew = clock_skew;
  policy.max_lifetime = max_lifetime;
  policy.required_scopes = {"api"};
  policy.allowed_amr = {"Application", "external"};
  return policy;
}

}  // namespace keywarden::connector
