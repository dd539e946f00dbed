// The server's messages: what each says, in plain text and in simple HTML.
//
// Each function builds a mail::Message for the caller to queue (mail/mail_queue.h). Every value
// put into a message goes through server/mail/escape.h: escaped in the HTML, on one line in the
// text and the subject. Codes and links appear in the bodies only, never in a subject, which
// mail clients show in notifications and servers write to their logs. No function fails: the
// address is checked when the message is queued (mail::CheckMessage).
#ifndef KEYWARDEN_SERVER_MAIL_TEMPLATES_H_
#define KEYWARDEN_SERVER_MAIL_TEMPLATES_H_

#include <string>
#include <string_view>

#include "base/time.h"
#include "mail/message.h"

namespace keywarden::server::mail {

// "Verify your e-mail address": the link that proves `to` belongs to the account holder.
::keywarden::mail::Message VerifyEmailMessage(std::string_view to, std::string_view verify_link);

// A login from a device the account had not used before.
struct NewDeviceLogin {
  std::string device_type;  // as people call it: "Firefox Extension", "Android", "CLI"
  std::string device_name;  // as the client named it
  TimePoint time;
  std::string client_ip;
};
// "New login to your Keywarden account": which device, when (UTC) and from where, and what to do
// if it was not the account holder.
::keywarden::mail::Message NewDeviceLoginMessage(std::string_view to, const NewDeviceLogin& login);

// "Your two-step login code": `code` (six digits) and how many minutes it stays valid.
::keywarden::mail::Message TwoStepLoginCodeMessage(std::string_view to, std::string_view code, int minutes_valid);

// "Join <organisation> on Keywarden": an invitation and the link that accepts it.
::keywarden::mail::Message OrganizationInvitationMessage(std::string_view to, std::string_view organization_name,
                                                         std::string_view accept_link);

// "Confirm your new e-mail address": the code, sent to the new address, that completes a change
// of the account's e-mail, and how many minutes it stays valid.
::keywarden::mail::Message EmailChangeCodeMessage(std::string_view to, std::string_view code, int minutes_valid);

// "Your Keywarden verification code": the code (six digits) that proves the account holder in
// place of the master password (POST /api/accounts/request-otp), and how many minutes it stays
// valid.
::keywarden::mail::Message VerificationCodeMessage(std::string_view to, std::string_view code, int minutes_valid);

// "Your account was recovered": an administrator of `organization_name` set a new master password
// (`master_password`) and/or turned two-step login off (`two_step_login`); with a new password,
// the member must choose their own at their next login.
::keywarden::mail::Message AccountRecoveredMessage(std::string_view to, std::string_view organization_name,
                                                   bool master_password, bool two_step_login);

// "Your master password was changed": the member replaced the temporary password an
// administrator set.
::keywarden::mail::Message TemporaryPasswordReplacedMessage(std::string_view to);

// "A member asks for device approval": sent to each approver of `organization_name` (owners,
// admins, custom members who manage account recovery) when the member `requester_email` logs in
// on a device that needs an administrator's approval (POST /api/auth-requests/admin-request).
::keywarden::mail::Message DeviceApprovalRequestedMessage(std::string_view to, std::string_view organization_name,
                                                          std::string_view requester_email);

// "Your device was approved": an administrator of `organization_name` approved the member's
// request to log in on a new device.
::keywarden::mail::Message DeviceApprovedMessage(std::string_view to, std::string_view organization_name);

}  // namespace keywarden::server::mail

#endif  // KEYWARDEN_SERVER_MAIL_TEMPLATES_H_
