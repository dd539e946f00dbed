#include "cli/admin/device_approval.h"

#include <algorithm>
#include <array>
#include <thread>

#include "http/json.h"
#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/random.h"
#include "keywarden/keys/auth_request.h"

namespace keywarden::cli::admin {
namespace {

constexpr std::size_t kAccessCodeChars = 25;  // what the clients make (member-decryption.md 2.1)
constexpr int kUnlockRequest = 1;

// 25 characters from [A-Za-z0-9], uniformly: bytes at or above the largest multiple of 62 are
// drawn again rather than folded, which would favour the first letters.
Result<std::string> NewAccessCode() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  static constexpr unsigned kLetters = sizeof kAlphabet - 1;
  static constexpr unsigned kAcceptBelow = 256 - 256 % kLetters;
  std::string code;
  while (code.size() < kAccessCodeChars) {
    std::array<std::uint8_t, 32> bytes{};
    KW_RETURN_IF_ERROR(RandomBytes(bytes));
    for (const std::uint8_t byte : bytes) {
      if (byte < kAcceptBelow && code.size() < kAccessCodeChars) code.push_back(kAlphabet[byte % kLetters]);
    }
  }
  return code;
}

std::string Text(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* value = http::FindField(object, name);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

bool Answered(const nlohmann::json& request) {
  const nlohmann::json* date = http::FindField(request, "responseDate");
  return date != nullptr && date->is_string() && !date->get<std::string>().empty();
}

bool Approved(const nlohmann::json& request) {
  const nlohmann::json* approved = http::FindField(request, "requestApproved");
  return approved != nullptr && approved->is_boolean() && approved->get<bool>();
}

}  // namespace

Result<SymmetricKey> RequestDeviceApproval(AdminClient& client, const DeviceApprovalOptions& options) {
  const Session& session = client.session();
  if (session.device_identifier.empty()) return InvalidArgumentError("the session has no device: log in again");
  KW_ASSIGN_OR_RETURN(AuthRequest pair, NewAuthRequest(session.email));
  KW_ASSIGN_OR_RETURN(std::string access_code, NewAccessCode());
  const nlohmann::json body = {{"email", session.email},
                               {"publicKey", pair.public_key.ToBase64()},
                               {"deviceIdentifier", session.device_identifier},
                               {"accessCode", access_code},
                               {"type", kUnlockRequest}};
  KW_ASSIGN_OR_RETURN(nlohmann::json created, client.Post("/api/auth-requests", body));
  const std::string id = Text(created, "id");
  if (id.empty()) return UnavailableError("the server's answer to the auth request has no id");
  if (options.show) options.show(pair.fingerprint, id);

  const auto deadline = std::chrono::steady_clock::now() + options.deadline;
  const std::string path = "/api/auth-requests/" + id + "/response?code=" + access_code;
  while (true) {
    auto polled = client.Get(path);
    if (!polled.ok()) {
      if (polled.status().code() == ErrorCode::kNotFound) {
        return NotFoundError("the auth request expired or is gone before a device approved it");
      }
      return polled.status();
    }
    if (Answered(*polled)) {
      if (!Approved(*polled)) {
        return Status(ErrorCode::kConflict, "the request was denied on the approving device; nothing changed");
      }
      KW_ASSIGN_OR_RETURN(AsymmetricEncString approval, AsymmetricEncString::Parse(Text(*polled, "key")));
      return CompleteAuthRequest(pair.private_key, approval);
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options.deadline).count();
      return UnavailableError("no device approved the request within " + std::to_string(seconds) +
                              " s; nothing changed");
    }
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(options.poll_interval, deadline - now));
  }
}

}  // namespace keywarden::cli::admin
