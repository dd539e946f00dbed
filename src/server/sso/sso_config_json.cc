#include "server/sso/sso_config_json.h"

#include "http/json.h"

namespace keywarden::server::sso {
namespace {

// The reference's default SAML signing algorithm (SamlSigningAlgorithms.Sha256), which its
// response carries for every configuration.
constexpr const char* kSha256Signing = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

nlohmann::json DataJson(const SsoConfigData& data) {
  nlohmann::json out;
  out["configType"] = static_cast<int>(SsoType::kOpenIdConnect);
  out["memberDecryptionType"] = static_cast<int>(data.member_decryption_type);
  out["keyConnectorEnabled"] = data.member_decryption_type == MemberDecryptionType::kKeyConnector;
  out["keyConnectorUrl"] = http::NullIfEmpty(data.key_connector_url);
  out["authority"] = http::NullIfEmpty(data.authority);
  out["clientId"] = http::NullIfEmpty(data.client_id);
  out["clientSecret"] = http::NullIfEmpty(data.client_secret);
  out["metadataAddress"] = http::NullIfEmpty(data.metadata_address);
  out["redirectBehavior"] = static_cast<int>(data.redirect_behavior);
  out["getClaimsFromUserInfoEndpoint"] = data.get_claims_from_user_info_endpoint;
  out["additionalScopes"] = http::NullIfEmpty(data.additional_scopes);
  out["additionalUserIdClaimTypes"] = http::NullIfEmpty(data.additional_user_id_claim_types);
  out["additionalEmailClaimTypes"] = http::NullIfEmpty(data.additional_email_claim_types);
  out["additionalNameClaimTypes"] = http::NullIfEmpty(data.additional_name_claim_types);
  out["acrValues"] = http::NullIfEmpty(data.acr_values);
  out["expectedReturnAcrValue"] = http::NullIfEmpty(data.expected_return_acr_value);
  out["idpEntityId"] = nullptr;
  out["idpSingleSignOnServiceUrl"] = nullptr;
  out["idpSingleLogoutServiceUrl"] = nullptr;
  out["idpX509PublicCert"] = nullptr;
  out["idpBindingType"] = 0;
  out["idpAllowUnsolicitedAuthnResponse"] = false;
  out["idpArtifactResolutionServiceUrl"] = nullptr;
  out["idpDisableOutboundLogoutRequests"] = false;
  out["idpOutboundSigningAlgorithm"] = nullptr;
  out["idpWantAuthnRequestsSigned"] = false;
  out["spUniqueEntityId"] = false;
  out["spNameIdFormat"] = 0;
  out["spOutboundSigningAlgorithm"] = kSha256Signing;
  out["spSigningBehavior"] = 0;
  out["spWantAssertionsSigned"] = false;
  out["spValidateCertificates"] = false;
  out["spMinIncomingSigningAlgorithm"] = nullptr;
  return out;
}

std::string SsoBase(std::string_view public_url) {
  std::string base(public_url);
  while (base.ends_with('/')) base.pop_back();
  return base + "/sso";
}

}  // namespace

std::string OidcCallbackUrl(std::string_view public_url) { return SsoBase(public_url) + "/oidc-signin"; }

std::string OidcSignedOutCallbackUrl(std::string_view public_url) { return SsoBase(public_url) + "/oidc-signedout"; }

nlohmann::json OrganizationSsoJson(const organizations::Organization& organization,
                                   const std::optional<SsoConfig>& config, std::string_view public_url) {
  const std::string saml = SsoBase(public_url) + "/saml2";
  nlohmann::json out;
  out["enabled"] = config ? config->enabled : false;
  out["identifier"] = http::NullIfEmpty(organization.identifier);
  out["data"] = config ? DataJson(config->data) : nlohmann::json();
  out["urls"] = {
      {"callbackPath", OidcCallbackUrl(public_url)},   {"signedOutCallbackPath", OidcSignedOutCallbackUrl(public_url)},
      {"spEntityId", saml + "/" + organization.id},    {"spEntityIdStatic", saml},
      {"spMetadataUrl", saml + "/" + organization.id}, {"spAcsUrl", saml + "/" + organization.id + "/Acs"}};
  out["object"] = "organizationSso";
  return out;
}

}  // namespace keywarden::server::sso
