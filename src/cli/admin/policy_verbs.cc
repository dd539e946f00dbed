// admin policy set and list (core.md 8): PUT /api/organizations/{O}/policies/{type} with
// {"policy": {"enabled", "data"}}, GET .../policies.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/admin/admin_verbs.h"
#include "cli/admin/lookup.h"
#include "http/json.h"

namespace keywarden::cli::admin {
namespace {

struct PolicyOptions {
  std::string organization;
  std::string type;
  std::string enabled;
  std::string data;
};

nlohmann::ordered_json PolicyRow(const nlohmann::json& policy) {
  const int type = static_cast<int>(IntField(policy, "type", -1));
  const nlohmann::json* enabled = http::FindField(policy, "enabled");
  const nlohmann::json* data = http::FindField(policy, "data");
  return {{"type", type},
          {"name", PolicyTypeName(type)},
          {"enabled", enabled != nullptr && enabled->is_boolean() && enabled->get<bool>()},
          {"data", data != nullptr ? *data : nlohmann::json()}};
}

Result<Report> Set(const CommonOptions& common, const PolicyOptions& options) {
  KW_ASSIGN_OR_RETURN(int type, ParsePolicyType(options.type));
  bool enabled = false;
  if (options.enabled == "true") {
    enabled = true;
  } else if (options.enabled != "false") {
    return InvalidArgumentError("--enabled: give true or false");
  }
  nlohmann::json data = nullptr;
  if (!options.data.empty()) {
    data = nlohmann::json::parse(options.data, nullptr, /*allow_exceptions=*/false);
    if (!data.is_object()) return InvalidArgumentError("--data: give a JSON object, such as {\"minLength\": 14}");
  }
  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  KW_ASSIGN_OR_RETURN(OrganizationRef organization, ResolveOrganization(client, options.organization));
  KW_ASSIGN_OR_RETURN(nlohmann::json saved,
                      client.Put("/api/organizations/" + organization.id + "/policies/" + std::to_string(type),
                                 {{"policy", {{"enabled", enabled}, {"data", data}}}}));
  Report report;
  report.json = PolicyRow(saved);
  return report;
}

Result<Report> List(const CommonOptions& common, const PolicyOptions& options) {
  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  KW_ASSIGN_OR_RETURN(OrganizationRef organization, ResolveOrganization(client, options.organization));
  KW_ASSIGN_OR_RETURN(nlohmann::json list, client.Get("/api/organizations/" + organization.id + "/policies"));
  Report report;
  report.list_field = "policies";
  report.columns = {{"type", "TYPE"}, {"name", "NAME"}, {"enabled", "ENABLED"}, {"data", "DATA"}};
  report.json["organization_id"] = organization.id;
  report.json["policies"] = nlohmann::ordered_json::array();
  if (const nlohmann::json* data = http::FindField(list, "data"); data && data->is_array()) {
    for (const nlohmann::json& policy : *data) report.json["policies"].push_back(PolicyRow(policy));
  }
  return report;
}

}  // namespace

void AddPolicyVerbs(CLI::App& group, VerbAdder& verbs) {
  auto set = std::make_shared<PolicyOptions>();
  CLI::App* verb = verbs.Add(group, "set", "Turn a policy on or off, with its settings",
                             [set](const CommonOptions& common) { return Set(common, *set); });
  verb->add_option("--organization", set->organization, "the organisation's name or id")->required();
  verb->add_option("--type", set->type,
                   "a number, or two-step-login, master-password, single-org, require-sso, personal-ownership, "
                   "disable-send, account-recovery, vault-timeout, disable-export, ...")
      ->required();
  verb->add_option("--enabled", set->enabled, "true or false")->required();
  verb->add_option("--data", set->data, "the policy's settings as a JSON object");

  auto list = std::make_shared<PolicyOptions>();
  verb = verbs.Add(group, "list", "The organisation's policies",
                   [list](const CommonOptions& common) { return List(common, *list); });
  verb->add_option("--organization", list->organization, "the organisation's name or id")->required();
}

}  // namespace keywarden::cli::admin
