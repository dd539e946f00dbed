// The master password requirements policy (type 1) as the Bitwarden clients enforce it, for the
// verbs that set a master password: the server never sees the password, only its hash, so the
// client is the only place the organisation's requirements can be checked (the web console does
// it before an account recovery; the web vault before a temporary password is replaced).
//
// The rules are the clients' (PolicyService.evaluateMasterPassword):
//   minComplexity  the zxcvbn score (0..4) must reach it; scored as the clients score: on the
//                  first 256 characters, with "bitwarden", "bit", "warden" and the words of the
//                  e-mail's local part as user inputs (zxcvbn-c, Debian's libzxcvbn)
//   minLength      at least that many characters (UTF-16 code units, as JavaScript counts)
//   requireUpper   lower-casing changes the password; requireLower: upper-casing does
//   requireNumbers one of 0-9; requireSpecial: one of !@#$%^&*
// and, whatever the policy, the clients' own minimum of 12 characters. Several policies combine
// as the clients combine them: the highest complexity and length, every requirement any sets.
#ifndef KEYWARDEN_CLI_ADMIN_PASSWORD_POLICY_H_
#define KEYWARDEN_CLI_ADMIN_PASSWORD_POLICY_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/status.h"

namespace keywarden::cli::admin {

// Utils.minimumPasswordLength of the clients: no form of theirs accepts a shorter master password.
inline constexpr int kClientMinimumPasswordLength = 12;

struct MasterPasswordPolicy {
  int min_complexity = 0;
  int min_length = 0;
  bool require_upper = false;
  bool require_lower = false;
  bool require_numbers = false;
  bool require_special = false;
};

// Adds one policy's `data` object (minComplexity, minLength, require*) to `policy`.
void MergeMasterPasswordPolicy(const nlohmann::json& data, MasterPasswordPolicy& policy);

// The enabled type-1 policies among `policies` (API policy objects: type, enabled, data),
// combined; nullopt when there is none.
std::optional<MasterPasswordPolicy> CombineMasterPasswordPolicies(const nlohmann::json& policies);

// The zxcvbn score, 0..4, of `password` with the user inputs described above.
int PasswordStrengthScore(std::string_view password, std::string_view email);

// What `password` lacks, one phrase each ("at least 14 characters", "an upper-case letter",
// "strength 3 of 4 (it scores 1)"); empty when it satisfies `policy` and the clients' minimum.
std::vector<std::string> UnmetRequirements(std::string_view password, std::string_view email,
                                           const std::optional<MasterPasswordPolicy>& policy);

// OK, or kInvalidArgument naming every unmet requirement; the password itself is never shown.
Status CheckNewMasterPassword(std::string_view password, std::string_view email,
                              const std::optional<MasterPasswordPolicy>& policy);

}  // namespace keywarden::cli::admin

#endif  // KEYWARDEN_CLI_ADMIN_PASSWORD_POLICY_H_
