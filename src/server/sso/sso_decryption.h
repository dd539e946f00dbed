// How a member who signed in with single sign-on decrypts their vault: the organisation's part
// of the token response's UserDecryptionOptions (docs member-decryption.md 1.4; the
// reference's UserDecryptionOptionsBuilder). Only logins through single sign-on get it.
//
//  - Key Connector: its URL, when the organisation's configuration is Key Connector with a URL.
//  - Trusted devices, when the configuration is trusted devices, or when the member is leaving
//    them (no master password, a trusted device, and a configuration that is no longer trusted
//    devices: IsTdeOffboarding):
//      HasAdminApproval            enrolled in the organisation's account recovery;
//      HasLoginApprovingDevice     another device that can approve a login (store/devices.h);
//      HasManageResetPasswordPermission  owner, admin or custom manageResetPassword, member
//                                  from invitation on (the reference reads the membership, not
//                                  the token);
//      the device's two keys when this device is trusted.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_SSO_SSO_DECRYPTION_H_
#define KEYWARDEN_SERVER_SSO_SSO_DECRYPTION_H_

#include <optional>
#include <string>
#include <string_view>

#include "keywarden/status.h"
#include "server/store/users.h"
#include "sql/database.h"

namespace keywarden::server::sso {

struct TrustedDeviceOption {
  bool has_admin_approval = false;
  bool has_login_approving_device = false;
  bool has_manage_reset_password_permission = false;
  bool is_tde_offboarding = false;
  std::string encrypted_private_key;  // empty unless this device is trusted
  std::string encrypted_user_key;
};

struct SsoDecryptionOptions {
  std::string key_connector_url;  // empty: no KeyConnectorOption
  std::optional<TrustedDeviceOption> trusted_device;
};

// For `user` signing in to `organization_id` with single sign-on from the device
// `device_identifier`.
Result<SsoDecryptionOptions> ReadSsoDecryptionOptions(sql::Session& session, const store::User& user,
                                                      std::string_view organization_id,
                                                      std::string_view device_identifier);

}  // namespace keywarden::server::sso

#endif  // KEYWARDEN_SERVER_SSO_SSO_DECRYPTION_H_
