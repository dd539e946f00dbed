// The organizations table: an organisation and its RSA key pair (the private key under the
// organisation key, which the server never holds). Functions run inside a unit of work.
#ifndef KEYWARDEN_SERVER_ORGANIZATIONS_ORGANIZATION_STORE_H_
#define KEYWARDEN_SERVER_ORGANIZATIONS_ORGANIZATION_STORE_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/time.h"
#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server::organizations {

struct Organization {
  std::string id;
  std::string name;
  std::string billing_email;
  std::string business_name;
  std::string identifier;   // single sign-on identifier; empty until set
  std::string public_key;   // base64 SPKI
  std::string private_key;  // EncString under the organisation key
  bool enabled = true;
  TimeMs creation_date = 0;
  TimeMs revision_date = 0;
};

Status InsertOrganization(sql::Session& session, const Organization& organization);
Result<std::optional<Organization>> FindOrganization(sql::Session& session, std::string_view id);
// By single sign-on identifier, without regard to case.
Result<std::optional<Organization>> FindOrganizationByIdentifier(sql::Session& session, std::string_view identifier);
// Writes name, billing e-mail, business name, identifier, keys, enabled and revision date.
// kNotFound when absent; kAlreadyExists when the identifier is another organisation's.
Status UpdateOrganization(sql::Session& session, const Organization& organization);
// Deletes the organisation with its members, collections, groups, policies, single sign-on
// configuration and items; moves the account revision date of every member, so their clients
// drop it at the next sync.
Status DeleteOrganization(sql::Session& session, std::string_view id, TimeMs now);

// Moves the account revision date of every member of the organisation with an account, so that
// their clients sync (a collection, policy or item of the organisation changed).
Status TouchMembers(sql::Session& session, std::string_view organization_id, TimeMs now);

}  // namespace keywarden::server::organizations

#endif  // KEYWARDEN_SERVER_ORGANIZATIONS_ORGANIZATION_STORE_H_
