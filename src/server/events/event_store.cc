#include "server/events/event_store.h"

#include <algorithm>
#include <utility>

namespace keywarden::server::events {
namespace {

// Each statement reads the same columns and ends with the same bounds: date >= start, (date, id)
// below the page's upper position, newest first, a row limit.
constexpr sql::Statement kByOrganization = {
    "server_events_by_organization",
    "SELECT id, type, date, user_id, organization_id, cipher_id, collection_id, group_id, policy_id, "
    "organization_user_id, acting_user_id, device_type, ip_address, system_user FROM events WHERE "
    "organization_id = $1 AND date >= $2 AND (date, id) < ($3, $4) "
    "ORDER BY date DESC, id DESC LIMIT $5",
    nullptr, nullptr, "to read an organisation's events"};

constexpr sql::Statement kByActingUser = {
    "server_events_by_acting_user",
    "SELECT id, type, date, user_id, organization_id, cipher_id, collection_id, group_id, policy_id, "
    "organization_user_id, acting_user_id, device_type, ip_address, system_user FROM events WHERE "
    "organization_id = $1 AND acting_user_id = $2 AND date >= $3 AND (date, id) < ($4, $5) "
    "ORDER BY date DESC, id DESC LIMIT $6",
    nullptr, nullptr, "to read a member's events"};

constexpr sql::Statement kByCipher = {
    "server_events_by_cipher",
    "SELECT id, type, date, user_id, organization_id, cipher_id, collection_id, group_id, policy_id, "
    "organization_user_id, acting_user_id, device_type, ip_address, system_user FROM events WHERE "
    "cipher_id = $1 AND COALESCE(organization_id, '') = $2 AND COALESCE(user_id, '') = $3 "
    "AND date >= $4 AND (date, id) < ($5, $6) ORDER BY date DESC, id DESC LIMIT $7",
    nullptr, nullptr, "to read an item's events"};

// The reference selects the account's events as those it caused outside any organisation;
// this server logs those with the account as user_id too, which the index covers.
constexpr sql::Statement kByUser = {
    "server_events_by_user",
    "SELECT id, type, date, user_id, organization_id, cipher_id, collection_id, group_id, policy_id, "
    "organization_user_id, acting_user_id, device_type, ip_address, system_user FROM events WHERE "
    "user_id = $1 AND acting_user_id = $1 AND organization_id IS NULL AND date >= $2 "
    "AND (date, id) < ($3, $4) ORDER BY date DESC, id DESC LIMIT $5",
    nullptr, nullptr, "to read an account's events"};

// Appends the bounds every statement ends with: start, the upper position, the limit.
void AddBounds(sql::Params& params, const EventRange& range) {
  params.Int(range.start);
  if (range.after) {
    params.Int(range.after->date).Text(range.after->id);
  } else {
    // Everything up to and including `end`: every id sorts after the empty string.
    params.Int(range.end + 1).Text("");
  }
  params.Int(static_cast<std::int64_t>(kEventPageSize + 1));
}

std::optional<int> OptionalInt(const sql::Rows& rows, std::size_t row, std::size_t column) {
  const auto value = rows.OptionalInt(row, column);
  if (!value) return std::nullopt;
  return static_cast<int>(*value);
}

Result<EventPage> ReadPage(sql::Session& session, const sql::Statement& statement, sql::Params params,
                           const EventRange& range) {
  AddBounds(params, range);
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(statement, params));
  EventPage page;
  const std::size_t count = std::min(rows.size(), kEventPageSize);
  page.events.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    StoredEvent stored;
    stored.id = rows.Text(i, 0);
    Event& e = stored.event;
    KW_ASSIGN_OR_RETURN(const std::int64_t type, rows.Int(i, 1));
    e.type = static_cast<int>(type);
    KW_ASSIGN_OR_RETURN(e.date, rows.Int(i, 2));
    e.user_id = rows.Text(i, 3);
    e.organization_id = rows.Text(i, 4);
    e.cipher_id = rows.Text(i, 5);
    e.collection_id = rows.Text(i, 6);
    e.group_id = rows.Text(i, 7);
    e.policy_id = rows.Text(i, 8);
    e.organization_user_id = rows.Text(i, 9);
    e.acting_user_id = rows.Text(i, 10);
    e.device_type = OptionalInt(rows, i, 11);
    e.ip_address = rows.Text(i, 12);
    stored.system_user = OptionalInt(rows, i, 13);
    page.events.push_back(std::move(stored));
  }
  if (rows.size() > kEventPageSize) {
    const StoredEvent& last = page.events.back();
    page.next = PagePosition{last.event.date, last.id};
  }
  return page;
}

}  // namespace

Result<EventPage> ReadOrganizationEvents(sql::Session& session, std::string_view organization_id,
                                         const EventRange& range) {
  return ReadPage(session, kByOrganization, sql::Params().Text(organization_id), range);
}

Result<EventPage> ReadActingUserEvents(sql::Session& session, std::string_view organization_id,
                                       std::string_view acting_user_id, const EventRange& range) {
  return ReadPage(session, kByActingUser, sql::Params().Text(organization_id).Text(acting_user_id), range);
}

Result<EventPage> ReadCipherEvents(sql::Session& session, std::string_view cipher_id, std::string_view organization_id,
                                   std::string_view user_id, const EventRange& range) {
  return ReadPage(session, kByCipher, sql::Params().Text(cipher_id).Text(organization_id).Text(user_id), range);
}

Result<EventPage> ReadUserEvents(sql::Session& session, std::string_view user_id, const EventRange& range) {
  return ReadPage(session, kByUser, sql::Params().Text(user_id), range);
}

}  // namespace keywarden::server::events
