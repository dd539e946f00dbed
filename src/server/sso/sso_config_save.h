// Saving an organisation's single sign-on configuration with everything the reference's
// SsoConfigService and organisation update do around it, in the caller's unit of work:
//
// - the SSO identifier goes to the organisation, refused when another organisation has it in
//   any case ("Identifier already in use by another organization.");
// - Key Connector (1) needs single organisation and require single sign-on on, and the
//   configuration enabled; leaving Key Connector is refused while a member uses it (the
//   reference's messages);
// - trusted devices (2) turns on single organisation, account recovery with automatic
//   enrolment, and require single sign-on (policy_rules.h: single organisation revokes members
//   who belong elsewhere);
// - every member's clients are told to sync (the profile's organisations carry the settings).
//
// The events to log after the commit follow from the outcome (RecordSsoSaved).
#ifndef KEYWARDEN_SERVER_SSO_SSO_CONFIG_SAVE_H_
#define KEYWARDEN_SERVER_SSO_SSO_CONFIG_SAVE_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "http/http_types.h"
#include "keywarden/status.h"
#include "server/events/event_log.h"
#include "server/organizations/organization_store.h"
#include "server/organizations/policy_rules.h"
#include "server/sso/sso_config.h"
#include "server/sso/sso_config_request.h"
#include "sql/database.h"

namespace keywarden::server::sso {

struct SsoSaveOutcome {
  organizations::Organization organization;          // with the identifier saved
  SsoConfig config;                                  // as saved
  std::optional<SsoConfig> previous;                 // before, if there was one
  std::vector<organizations::SavedPolicy> policies;  // turned on for trusted devices
};

// `new_policy_ids` name the policies trusted devices may create. kNotFound when the
// organisation does not exist; kInvalidArgument with the reference's messages.
Result<SsoSaveOutcome> SaveOrganizationSso(sql::Session& session, std::string_view organization_id,
                                           const SsoConfigRequest& request, TimeMs now,
                                           const std::array<std::string, 3>& new_policy_ids);

// The events of a save, as the reference logs them: the policies' (1700 and revocations), SSO
// enabled/disabled (1604/1605) when `enabled` differs from before (a first save counts as a
// change from none, so a first disabled save logs 1605, as the reference's does), Key Connector
// enabled/disabled (1606/1607) when the decryption type enters or leaves Key Connector, and
// Organization_Updated (1600).
void RecordSsoSaved(events::EventLog& log, const SsoSaveOutcome& outcome, std::string_view actor,
                    const http::HttpRequest& request, TimeMs now);

}  // namespace keywarden::server::sso

#endif  // KEYWARDEN_SERVER_SSO_SSO_CONFIG_SAVE_H_
