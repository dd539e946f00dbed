#include "server/sso/sso_decryption.h"

#include "server/organizations/member_store.h"
#include "server/sso/sso_config_store.h"
#include "server/store/devices.h"

namespace keywarden::server::sso {
namespace {

bool IsBlank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

bool MayManageResetPassword(const organizations::Member& member) {
  using organizations::MemberStatus;
  using organizations::MemberType;
  if (member.status == MemberStatus::kRevoked) return false;
  return member.type == MemberType::kOwner || member.type == MemberType::kAdmin ||
         (member.type == MemberType::kCustom && member.permissions.manage_reset_password);
}

}  // namespace

Result<SsoDecryptionOptions> ReadSsoDecryptionOptions(sql::Session& session, const store::User& user,
                                                      std::string_view organization_id,
                                                      std::string_view device_identifier) {
  SsoDecryptionOptions options;
  KW_ASSIGN_OR_RETURN(auto config, FindSsoConfig(session, organization_id));
  if (!config || !config->enabled) return options;
  if (config->data.KeyConnectorEnabled()) options.key_connector_url = config->data.key_connector_url;

  KW_ASSIGN_OR_RETURN(auto device_keys, store::TrustedDeviceKeys(session, user.id, device_identifier));
  const bool trusted_devices = config->data.member_decryption_type == MemberDecryptionType::kTrustedDeviceEncryption;
  const bool offboarding = !trusted_devices && !user.password_hash.has_value() && device_keys.has_value();
  if (!trusted_devices && !offboarding) return options;

  TrustedDeviceOption option;
  option.is_tde_offboarding = offboarding;
  KW_ASSIGN_OR_RETURN(auto member, organizations::FindMembershipOf(session, organization_id, user.id));
  if (member) {
    option.has_admin_approval = !IsBlank(member->reset_password_key);
    option.has_manage_reset_password_permission = MayManageResetPassword(*member);
  }
  KW_ASSIGN_OR_RETURN(option.has_login_approving_device,
                      store::HasLoginApprovingDevice(session, user.id, device_identifier));
  if (device_keys) {
    option.encrypted_private_key = device_keys->encrypted_private_key;
    option.encrypted_user_key = device_keys->encrypted_user_key;
  }
  options.trusted_device = std::move(option);
  return options;
}

}  // namespace keywarden::server::sso
