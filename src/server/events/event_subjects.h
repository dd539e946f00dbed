// What the event routes and LogUserEvent read about other tables: who owns an item, and which
// organisations an account's events also go to. Functions run inside a unit of work; each is
// one indexed read.
#ifndef KEYWARDEN_SERVER_EVENTS_EVENT_SUBJECTS_H_
#define KEYWARDEN_SERVER_EVENTS_EVENT_SUBJECTS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server::events {

// An item's owner: an organisation, or else an account.
struct CipherOwner {
  std::string organization_id;  // empty for a personal item
  std::string user_id;          // empty for an organisation item
};

// nullopt when there is no such item (deleted items are still items).
Result<std::optional<CipherOwner>> FindCipherOwner(sql::Session& session, std::string_view cipher_id);

// The organisations where the account is a confirmed member and which log events: those the
// reference copies an account's events to (its current context's organisations, with the
// UseEvents ability). Every enabled organisation of this server logs events.
Result<std::vector<std::string>> OrganizationsLoggingUserEvents(sql::Session& session, std::string_view user_id);

}  // namespace keywarden::server::events

#endif  // KEYWARDEN_SERVER_EVENTS_EVENT_SUBJECTS_H_
