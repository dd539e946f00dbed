#include "server/mail/templates.h"

#include <time.h>

#include <cstdio>
#include <ctime>
#include <initializer_list>
#include <utility>

#include "server/mail/escape.h"

namespace keywarden::server::mail {
namespace {

using ::keywarden::mail::Message;

constexpr std::string_view kFooter = "This message was sent automatically by Keywarden. Replies are not read.";

// A message's body, built once and written twice: as plain text and as HTML. Values enter only
// through `{}` in a paragraph's wording, a link, a code or a fact, and each is put through
// PlainValue for the text and EscapeHtml for the HTML, so that no template can forget either.
class Body {
 public:
  // `wording` with each "{}" replaced by the next of `values` (bold in HTML).
  Body& Paragraph(std::string_view wording, std::initializer_list<std::string_view> values = {}) {
    std::string text;
    std::string html;
    auto value = values.begin();
    for (std::size_t at = 0;;) {
      const std::size_t hole = value == values.end() ? std::string_view::npos : wording.find("{}", at);
      const std::string_view words = wording.substr(at, hole == std::string_view::npos ? hole : hole - at);
      text += words;
      html += EscapeHtml(words);
      if (hole == std::string_view::npos) break;
      text += PlainValue(*value);
      html += "<strong>" + EscapeHtml(*value) + "</strong>";
      ++value;
      at = hole + 2;
    }
    text_ += text + "\n\n";
    html_ += "<p>" + html + "</p>\n";
    return *this;
  }

  // The link as a button, and again as text for readers that show no links.
  Body& Link(std::string_view link, std::string_view label) {
    const std::string href = EscapeHtml(link);
    text_ += PlainValue(link) + "\n\n";
    html_ += "<p><a href=\"" + href +
             "\" style=\"display: inline-block; padding: 10px 18px; background: #175ddc; color: #ffffff; "
             "text-decoration: none; border-radius: 4px;\">" +
             EscapeHtml(label) + "</a></p>\n<p style=\"font-size: small; word-break: break-all;\">" + href + "</p>\n";
    return *this;
  }

  Body& Code(std::string_view code) {
    text_ += "    " + PlainValue(code) + "\n\n";
    html_ += "<p style=\"font-size: 28px; font-weight: bold; letter-spacing: 4px; font-family: monospace;\">" +
             EscapeHtml(code) + "</p>\n";
    return *this;
  }

  // Labelled values, one a line: "Device: Android".
  Body& Facts(std::initializer_list<std::pair<std::string_view, std::string_view>> facts) {
    html_ += "<table style=\"border-collapse: collapse;\">\n";
    for (const auto& [label, value] : facts) {
      text_ += std::string(label) + ": " + PlainValue(value) + "\n";
      html_ += "<tr><td style=\"padding-right: 12px;\">" + EscapeHtml(label) + "</td><td>" + EscapeHtml(value) +
               "</td></tr>\n";
    }
    text_ += "\n";
    html_ += "</table>\n";
    return *this;
  }

  // The message, with the footer; styles inline, as mail clients drop style sheets.
  Message To(std::string_view to, std::string_view subject) const {
    Message message;
    message.to = std::string(to);
    message.subject = PlainValue(subject);
    message.text = text_ + "-- \n" + std::string(kFooter) + "\n";
    message.html = "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>" + EscapeHtml(subject) +
                   "</title></head>\n<body style=\"font-family: sans-serif; line-height: 1.5; color: #222222;\">\n" +
                   html_ + "<p style=\"color: #777777; font-size: small;\">" + EscapeHtml(kFooter) +
                   "</p>\n</body>\n</html>\n";
    return message;
  }

 private:
  std::string text_;
  std::string html_;
};

std::string Minutes(int minutes) { return minutes == 1 ? "1 minute" : std::to_string(minutes) + " minutes"; }

// "2026-03-05 14:07 UTC": readable, and the same for every reader wherever they are.
std::string UtcMinute(TimePoint when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d UTC", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                utc.tm_hour, utc.tm_min);
  return text;
}

}  // namespace

Message VerifyEmailMessage(std::string_view to, std::string_view verify_link) {
  return Body()
      .Paragraph("Please confirm that this e-mail address belongs to your Keywarden account by opening this link:")
      .Link(verify_link, "Verify e-mail address")
      .Paragraph("If you did not create an account or ask for this, you can ignore this message.")
      .To(to, "Verify your e-mail address");
}

Message NewDeviceLoginMessage(std::string_view to, const NewDeviceLogin& login) {
  const std::string device = login.device_type + " (" + login.device_name + ")";
  return Body()
      .Paragraph("Your Keywarden account was just used to log in from a new device.")
      .Facts({{"Device", device}, {"Time", UtcMinute(login.time)}, {"IP address", login.client_ip}})
      .Paragraph(
          "If this was you, there is nothing to do. If it was not, change your master password now and "
          "turn on two-step login.")
      .To(to, "New login to your Keywarden account");
}

Message TwoStepLoginCodeMessage(std::string_view to, std::string_view code, int minutes_valid) {
  return Body()
      .Paragraph("Your two-step login code is:")
      .Code(code)
      .Paragraph("It is valid for {}. Never share it: Keywarden will never ask you for it.", {Minutes(minutes_valid)})
      .Paragraph("If you did not try to log in, someone knows your master password: change it now.")
      .To(to, "Your Keywarden two-step login code");
}

Message OrganizationInvitationMessage(std::string_view to, std::string_view organization_name,
                                      std::string_view accept_link) {
  return Body()
      .Paragraph("You have been invited to join the organisation {} on Keywarden. To accept, open this link:",
                 {organization_name})
      .Link(accept_link, "Join the organisation")
      .Paragraph("If you did not expect this invitation, you can ignore this message.")
      .To(to, "Join " + std::string(organization_name) + " on Keywarden");
}

Message EmailChangeCodeMessage(std::string_view to, std::string_view code, int minutes_valid) {
  return Body()
      .Paragraph("To make this the e-mail address of your Keywarden account, enter this code:")
      .Code(code)
      .Paragraph("It is valid for {}. If you did not ask to change your e-mail address, you can ignore this message.",
                 {Minutes(minutes_valid)})
      .To(to, "Confirm your new e-mail address");
}

Message VerificationCodeMessage(std::string_view to, std::string_view code, int minutes_valid) {
  return Body()
      .Paragraph("To confirm it is you, enter this verification code in Keywarden:")
      .Code(code)
      .Paragraph(
          "It is valid for {} and works once. If you did not ask for a code, someone may be using your session: "
          "log out of every device and change your password.",
          {Minutes(minutes_valid)})
      .To(to, "Your Keywarden verification code");
}

Message AccountRecoveredMessage(std::string_view to, std::string_view organization_name, bool master_password,
                                bool two_step_login) {
  Body body;
  if (master_password) {
    body.Paragraph("An administrator of the organisation {} has set a new master password for your Keywarden account.",
                   {organization_name});
    body.Paragraph(
        "Every device was logged out. Ask the administrator for the temporary password; when you log in with it, "
        "choose a master password of your own.");
  }
  if (two_step_login) {
    body.Paragraph("An administrator of the organisation {} has turned two-step login off for your account.",
                   {organization_name});
  }
  body.Paragraph("If you did not ask for this, contact the organisation's administrators.");
  return body.To(to, "Your Keywarden account was recovered");
}

Message TemporaryPasswordReplacedMessage(std::string_view to) {
  return Body()
      .Paragraph("The temporary master password of your Keywarden account was replaced with one you chose.")
      .Paragraph("Every other device was logged out. If this was not you, contact your organisation's administrators.")
      .To(to, "Your Keywarden master password was changed");
}

Message DeviceApprovalRequestedMessage(std::string_view to, std::string_view organization_name,
                                       std::string_view requester_email) {
  return Body()
      .Paragraph(
          "{}, a member of the organisation {}, is logging in on a new device and asks an administrator to "
          "approve it.",
          {requester_email, organization_name})
      .Paragraph("Review the request among the organisation's pending device approvals. It expires in 7 days.")
      .To(to, "A member asks for device approval");
}

Message DeviceApprovedMessage(std::string_view to, std::string_view organization_name) {
  return Body()
      .Paragraph("An administrator of the organisation {} approved your request to log in on a new device.",
                 {organization_name})
      .Paragraph("If you did not ask for this, contact the organisation's administrators.")
      .To(to, "Your new device was approved");
}

}  // namespace keywarden::server::mail
