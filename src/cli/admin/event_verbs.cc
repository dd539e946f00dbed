// admin events (core.md 9.1): GET /api/organizations/{O}/events (or .../users/{member}/events)
// with start and end, following continuationToken until the server has no more.
#include <CLI/CLI.hpp>
#include <map>
#include <memory>

#include "base/iso_date.h"
#include "cli/admin/admin_verbs.h"
#include "cli/admin/lookup.h"
#include "cli/admin/server_api.h"
#include "http/json.h"
#include "net/percent_encoding.h"

namespace keywarden::cli::admin {
namespace {

// Far more than anyone reads on a terminal; a server that never stops paging is cut off here.
constexpr int kMaxPages = 1000;

struct EventOptions {
  std::string organization;
  std::string member;
  std::string start;
  std::string end;
};

std::string EventName(long long type) {
  // The numbers the server logs (the reference's EventType), and those clients collect.
  static const std::map<long long, std::string> kNames = {
      {1000, "user logged in"},
      {1001, "user changed password"},
      {1002, "user updated two-step login"},
      {1003, "user turned off two-step login"},
      {1004, "user recovered two-step login"},
      {1005, "user failed login"},
      {1006, "user failed two-step login"},
      {1007, "user exported the vault"},
      {1008, "user updated a temporary password"},
      {1009, "user moved their key to Key Connector"},
      {1010, "user asked for device approval"},
      {1011, "user set a master password (leaving trusted devices)"},
      {1100, "item created"},
      {1101, "item updated"},
      {1102, "item deleted"},
      {1105, "item shared"},
      {1106, "item's collections updated"},
      {1107, "item viewed"},
      {1115, "item moved to trash"},
      {1116, "item restored"},
      {1300, "collection created"},
      {1301, "collection updated"},
      {1302, "collection deleted"},
      {1400, "group created"},
      {1401, "group updated"},
      {1402, "group deleted"},
      {1500, "member invited"},
      {1501, "member confirmed"},
      {1502, "member updated"},
      {1503, "member removed"},
      {1504, "member's groups updated"},
      {1505, "member unlinked single sign-on"},
      {1506, "member enrolled in account recovery"},
      {1507, "member withdrew from account recovery"},
      {1508, "member's master password reset (account recovery)"},
      {1509, "member's single sign-on link replaced"},
      {1510, "member's first single sign-on login"},
      {1511, "member revoked"},
      {1512, "member restored"},
      {1513, "member's device approved"},
      {1514, "member's device request denied"},
      {1516, "member left"},
      {1519, "member's two-step login reset (account recovery)"},
      {1520, "member revoked (two-step login)"},
      {1521, "member revoked (single organization)"},
      {1600, "organization updated"},
      {1604, "single sign-on turned on"},
      {1605, "single sign-on turned off"},
      {1606, "Key Connector turned on"},
      {1607, "Key Connector turned off"},
      {1700, "policy updated"}};
  const auto found = kNames.find(type);
  return found == kNames.end() ? std::to_string(type) : found->second;
}

// A date as the API takes it: "YYYY-MM-DD" or an ISO 8601 date and time; checked only loosely,
// the server has the last word.
Status CheckDate(std::string_view flag, std::string_view date) {
  if (!ParseIsoDate(date))
    return InvalidArgumentError(std::string(flag) + ": give an ISO 8601 date, such as 2026-01-31T00:00:00Z");
  return OkStatus();
}

Result<Report> Events(const CommonOptions& common, const EventOptions& options) {
  if (!options.start.empty()) KW_RETURN_IF_ERROR(CheckDate("--start", options.start));
  if (!options.end.empty()) KW_RETURN_IF_ERROR(CheckDate("--end", options.end));
  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  KW_ASSIGN_OR_RETURN(OrganizationRef organization, ResolveOrganization(client, options.organization));
  std::string path = "/api/organizations/" + organization.id;
  if (!options.member.empty()) {
    KW_ASSIGN_OR_RETURN(nlohmann::json member, ResolveMember(client, organization.id, options.member));
    path += "/users/" + Field(member, "id");
  }
  path += "/events";

  // Who is who, for people reading the table; without the right to list members, ids are shown.
  std::map<std::string, std::string> emails_by_user, emails_by_member;
  if (auto members = client.Get("/api/organizations/" + organization.id + "/users?"); members.ok()) {
    if (const nlohmann::json* data = http::FindField(*members, "data"); data && data->is_array()) {
      for (const nlohmann::json& member : *data) {
        emails_by_member[Field(member, "id")] = Field(member, "email");
        if (!Field(member, "userId").empty()) emails_by_user[Field(member, "userId")] = Field(member, "email");
      }
    }
  }
  const auto who = [](const std::map<std::string, std::string>& names, const std::string& id) {
    const auto found = names.find(id);
    return found == names.end() || found->second.empty() ? id : found->second;
  };

  Report report;
  report.list_field = "events";
  report.columns = {{"date", "DATE"}, {"event", "EVENT"}, {"actor", "BY"}, {"member", "MEMBER"}, {"ip_address", "IP"}};
  report.json["organization_id"] = organization.id;
  report.json["events"] = nlohmann::ordered_json::array();
  std::string continuation;
  for (int page = 0; page < kMaxPages; ++page) {
    std::string query;
    const auto add = [&query](const std::string& name, const std::string& value) {
      if (!value.empty()) query += (query.empty() ? "?" : "&") + name + "=" + net::PercentEncode(value);
    };
    add("start", options.start);
    add("end", options.end);
    add("continuationToken", continuation);
    KW_ASSIGN_OR_RETURN(nlohmann::json list, client.Get(path + query));
    if (const nlohmann::json* data = http::FindField(list, "data"); data && data->is_array()) {
      for (const nlohmann::json& event : *data) {
        const long long type = IntField(event, "type", 0);
        report.json["events"].push_back({{"date", Field(event, "date")},
                                         {"type", type},
                                         {"event", EventName(type)},
                                         {"actor", who(emails_by_user, Field(event, "actingUserId"))},
                                         {"member", who(emails_by_member, Field(event, "organizationUserId"))},
                                         {"policy_id", Field(event, "policyId")},
                                         {"ip_address", Field(event, "ipAddress")}});
      }
    }
    const std::string next = Field(list, "continuationToken");
    if (next.empty() || next == continuation) break;
    continuation = next;
  }
  return report;
}

}  // namespace

void AddEventVerbs(CLI::App& admin, VerbAdder& verbs) {
  auto events = std::make_shared<EventOptions>();
  CLI::App* verb = verbs.Add(admin, "events", "The organisation's event log",
                             [events](const CommonOptions& common) { return Events(common, *events); });
  verb->add_option("--organization", events->organization, "the organisation's name or id")->required();
  verb->add_option("--member", events->member, "only this member's events (e-mail or id)");
  verb->add_option("--start", events->start, "from this date (ISO 8601; the server's default: 30 days ago)");
  verb->add_option("--end", events->end, "until this date (ISO 8601; default: now)");
}

}  // namespace keywarden::cli::admin
