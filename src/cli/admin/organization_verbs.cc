// admin organization create and list. Creation does what the web vault does (core.md 7.3): a new
// organisation key and RSA key pair made here, the key encapsulated to the caller's own public
// key, the private key and the first collection's name encrypted under the organisation key.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/admin/admin_verbs.h"
#include "cli/admin/lookup.h"
#include "http/json.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/keys/organization.h"

namespace keywarden::cli::admin {
namespace {

struct CreateOptions {
  std::string name;
  std::string billing_email;
  std::string collection_name = "Default collection";
};

Result<Report> Create(const CommonOptions& common, const CreateOptions& options) {
  if (options.name.empty() || options.name.size() > 50) {
    return InvalidArgumentError("--name: give a name of 1 to 50 characters");
  }
  if (options.collection_name.empty()) return InvalidArgumentError("--collection-name: the name is empty");
  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  const Session& session = client.session();
  KW_ASSIGN_OR_RETURN(nlohmann::json owner, client.Get("/api/users/" + session.user_id + "/public-key"));
  KW_ASSIGN_OR_RETURN(RsaPublicKey owner_key, RsaPublicKey::FromBase64(Field(owner, "publicKey")));

  KW_ASSIGN_OR_RETURN(NewOrganization made, CreateOrganization());
  KW_ASSIGN_OR_RETURN(AsymmetricEncString shared, ShareOrganizationKey(made.org_key, owner_key));
  KW_ASSIGN_OR_RETURN(EncString collection, EncString::EncryptText(made.org_key, options.collection_name));
  const nlohmann::json body = {
      {"name", options.name},
      {"billingEmail", options.billing_email.empty() ? session.email : options.billing_email},
      {"planType", 0},
      {"key", shared.ToString()},
      {"keys",
       {{"publicKey", made.public_key.ToBase64()}, {"encryptedPrivateKey", made.encrypted_private_key.ToString()}}},
      {"collectionName", collection.ToString()},
      {"useSecretsManager", false}};
  KW_ASSIGN_OR_RETURN(nlohmann::json created, client.Post("/api/organizations", body));
  Report report;
  report.json = {{"id", Field(created, "id")}, {"name", Field(created, "name")}};
  return report;
}

Result<Report> List(const CommonOptions& common) {
  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  KW_ASSIGN_OR_RETURN(nlohmann::json list, client.Get("/api/organizations"));
  Report report;
  report.list_field = "organizations";
  report.columns = {{"id", "ID"}, {"name", "NAME"}, {"role", "ROLE"}, {"status", "STATUS"}};
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  if (const nlohmann::json* data = http::FindField(list, "data"); data && data->is_array()) {
    for (const nlohmann::json& organization : *data) {
      rows.push_back({{"id", Field(organization, "id")},
                      {"name", Field(organization, "name")},
                      {"role", MemberTypeName(static_cast<int>(IntField(organization, "type", -9)))},
                      {"status", MemberStatusName(static_cast<int>(IntField(organization, "status", -9)))}});
    }
  }
  report.json["organizations"] = std::move(rows);
  return report;
}

}  // namespace

void AddOrganizationVerbs(CLI::App& group, VerbAdder& verbs) {
  auto create = std::make_shared<CreateOptions>();
  CLI::App* verb = verbs.Add(group, "create", "Create an organisation owned by the logged-in account",
                             [create](const CommonOptions& common) { return Create(common, *create); });
  verb->add_option("--name", create->name, "the organisation's name")->required();
  verb->add_option("--billing-email", create->billing_email, "default: the account's e-mail");
  verb->add_option("--collection-name", create->collection_name, "the first collection (default: Default collection)");

  verbs.Add(group, "list", "The organisations the account belongs to",
            [](const CommonOptions& common) { return List(common); });
}

}  // namespace keywarden::cli::admin
