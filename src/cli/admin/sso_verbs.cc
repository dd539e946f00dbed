// admin sso show and set (docs member-decryption.md 5 and 7): GET and POST
// /api/organizations/{O}/sso. `set` reads the current configuration and changes only what its
// options name, so that one setting can change at a time; the client secret is kept unless
// --client-secret gives a new one, and that only from @FILE or - (standard input): never from
// the command line, where other users of the machine could read it. Neither verb prints the
// secret, only whether one is set.
#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "cli/admin/admin_verbs.h"
#include "cli/admin/lookup.h"
#include "cli/common/input.h"
#include "http/json.h"

namespace keywarden::cli::admin {
namespace {

struct SsoOptions {
  std::string organization;
  std::optional<std::string> enabled;
  std::optional<std::string> identifier;
  std::optional<std::string> authority;
  std::optional<std::string> metadata_address;
  std::optional<std::string> client_id;
  std::optional<std::string> client_secret;  // @FILE or -
  std::optional<std::string> scopes;
  std::optional<std::string> email_claims;
  std::optional<std::string> name_claims;
  std::optional<std::string> user_id_claims;
  std::optional<std::string> decryption;
  std::optional<std::string> key_connector_url;
};

nlohmann::json TextOrNull(const nlohmann::json& data, std::string_view name) {
  const std::string text = Field(data, name);
  return text.empty() ? nlohmann::json() : nlohmann::json(text);
}

// The configuration as an administrator reads it: never the client secret itself.
nlohmann::ordered_json SsoRow(const std::string& organization_id, const nlohmann::json& sso) {
  const nlohmann::json* data = http::FindField(sso, "data");
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& d = data != nullptr && data->is_object() ? *data : empty;
  const nlohmann::json* enabled = http::FindField(sso, "enabled");
  const nlohmann::json* urls = http::FindField(sso, "urls");
  const int decryption = static_cast<int>(IntField(d, "memberDecryptionType", 0));
  return {{"organization_id", organization_id},
          {"configured", data != nullptr && data->is_object()},
          {"enabled", enabled != nullptr && enabled->is_boolean() && enabled->get<bool>()},
          {"identifier", TextOrNull(sso, "identifier")},
          {"authority", TextOrNull(d, "authority")},
          {"metadata_address", TextOrNull(d, "metadataAddress")},
          {"client_id", TextOrNull(d, "clientId")},
          {"client_secret_set", !Field(d, "clientSecret").empty()},
          {"scopes", TextOrNull(d, "additionalScopes")},
          {"email_claims", TextOrNull(d, "additionalEmailClaimTypes")},
          {"name_claims", TextOrNull(d, "additionalNameClaimTypes")},
          {"user_id_claims", TextOrNull(d, "additionalUserIdClaimTypes")},
          {"member_decryption", MemberDecryptionName(decryption)},
          {"key_connector_url", TextOrNull(d, "keyConnectorUrl")},
          {"callback_url", urls != nullptr ? TextOrNull(*urls, "callbackPath") : nlohmann::json()}};
}

Result<std::string> ReadClientSecret(const std::string& raw) {
  if (ClassifyArgument(raw) == ArgumentSource::kLiteral) {
    return InvalidArgumentError(
        "--client-secret: give @FILE or - (standard input), so that the secret stays out of the process list");
  }
  ArgumentReader reader({{"--client-secret", raw}});
  KW_ASSIGN_OR_RETURN(SecureBuffer secret, reader.Text("--client-secret"));
  if (secret.empty()) return InvalidArgumentError("--client-secret: the secret is empty");
  return std::string(secret.view());
}

Result<Report> Show(const CommonOptions& common, const SsoOptions& options) {
  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  KW_ASSIGN_OR_RETURN(OrganizationRef organization, ResolveOrganization(client, options.organization));
  KW_ASSIGN_OR_RETURN(nlohmann::json sso, client.Get("/api/organizations/" + organization.id + "/sso"));
  Report report;
  report.json = SsoRow(organization.id, sso);
  return report;
}

Result<Report> Set(const CommonOptions& common, const SsoOptions& options) {
  // Everything local is checked before the server is asked anything.
  std::optional<bool> enabled;
  if (options.enabled) {
    if (*options.enabled != "true" && *options.enabled != "false") {
      return InvalidArgumentError("--enabled: give true or false");
    }
    enabled = *options.enabled == "true";
  }
  std::optional<int> decryption;
  if (options.decryption) {
    KW_ASSIGN_OR_RETURN(decryption, ParseMemberDecryption(*options.decryption));
  }
  std::optional<std::string> secret;
  if (options.client_secret) {
    KW_ASSIGN_OR_RETURN(secret, ReadClientSecret(*options.client_secret));
  }

  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  KW_ASSIGN_OR_RETURN(OrganizationRef organization, ResolveOrganization(client, options.organization));
  const std::string path = "/api/organizations/" + organization.id + "/sso";
  KW_ASSIGN_OR_RETURN(nlohmann::json current, client.Get(path));
  const nlohmann::json* current_data = http::FindField(current, "data");
  nlohmann::json data = current_data != nullptr && current_data->is_object() ? *current_data : nlohmann::json::object();
  data["configType"] = 1;  // OpenID Connect
  const auto set_text = [&data](const char* name, const std::optional<std::string>& value) {
    if (value) data[name] = value->empty() ? nlohmann::json() : nlohmann::json(*value);
  };
  set_text("authority", options.authority);
  set_text("metadataAddress", options.metadata_address);
  set_text("clientId", options.client_id);
  set_text("clientSecret", secret);
  set_text("additionalScopes", options.scopes);
  set_text("additionalEmailClaimTypes", options.email_claims);
  set_text("additionalNameClaimTypes", options.name_claims);
  set_text("additionalUserIdClaimTypes", options.user_id_claims);
  set_text("keyConnectorUrl", options.key_connector_url);
  if (decryption) data["memberDecryptionType"] = *decryption;
  data.erase("keyConnectorEnabled");  // the older form of the decryption type; the type wins

  const nlohmann::json* current_enabled = http::FindField(current, "enabled");
  nlohmann::json body = {
      {"enabled",
       enabled.value_or(current_enabled != nullptr && current_enabled->is_boolean() && current_enabled->get<bool>())},
      {"identifier", options.identifier ? nlohmann::json(*options.identifier) : TextOrNull(current, "identifier")},
      {"data", std::move(data)}};
  KW_ASSIGN_OR_RETURN(nlohmann::json saved, client.Post(path, body));
  Report report;
  report.json = SsoRow(organization.id, saved);
  return report;
}

}  // namespace

void AddSsoVerbs(CLI::App& group, VerbAdder& verbs) {
  auto show = std::make_shared<SsoOptions>();
  CLI::App* verb = verbs.Add(group, "show", "An organisation's single sign-on configuration (never its client secret)",
                             [show](const CommonOptions& common) { return Show(common, *show); });
  verb->add_option("--organization", show->organization, "the organisation's name or id")->required();

  auto set = std::make_shared<SsoOptions>();
  verb = verbs.Add(group, "set", "Change an organisation's single sign-on (OpenID Connect) and member decryption",
                   [set](const CommonOptions& common) { return Set(common, *set); });
  verb->add_option("--organization", set->organization, "the organisation's name or id")->required();
  verb->add_option("--enabled", set->enabled, "true or false");
  verb->add_option("--identifier", set->identifier, "the SSO identifier members type (unique; empty clears it)");
  verb->add_option("--authority", set->authority, "the provider's issuer URL (https)");
  verb->add_option("--metadata-address", set->metadata_address,
                   "the discovery document's URL, when it is not under the authority");
  verb->add_option("--client-id", set->client_id, "this server's client id at the provider");
  verb->add_option("--client-secret", set->client_secret,
                   "@FILE or - (standard input): the client secret, never given on the command line");
  verb->add_option("--scopes", set->scopes, "scopes beyond openid, email and profile, comma-separated");
  verb->add_option("--email-claims", set->email_claims, "claims to read the e-mail address from, comma-separated");
  verb->add_option("--name-claims", set->name_claims, "claims to read the name from, comma-separated");
  verb->add_option("--user-id-claims", set->user_id_claims,
                   "claims to read the user's external id from, comma-separated");
  verb->add_option("--decryption", set->decryption, "master-password, key-connector or trusted-devices");
  verb->add_option("--key-connector-url", set->key_connector_url, "the Key Connector's URL (https)");
}

}  // namespace keywarden::cli::admin
