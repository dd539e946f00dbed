#include "cli/admin/session.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "keywarden/crypto/encoding.h"

namespace keywarden::cli::admin {
namespace {

constexpr std::size_t kMaxSessionBytes = 256 * 1024;

std::string Text(const nlohmann::json& object, const char* name) {
  const auto found = object.find(name);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

nlohmann::json KdfJson(const KdfConfig& kdf) {
  nlohmann::json json = {{"type", static_cast<int>(kdf.type())}, {"iterations", kdf.iterations()}};
  if (kdf.type() == KdfConfig::Type::kArgon2id) {
    json["memory"] = kdf.memory_mib();
    json["parallelism"] = kdf.parallelism();
  }
  return json;
}

std::optional<KdfConfig> KdfFromJson(const nlohmann::json& json) {
  if (!json.is_object()) return std::nullopt;
  const auto number = [&](const char* name) -> std::uint32_t {
    const auto found = json.find(name);
    return found != json.end() && found->is_number_unsigned() ? found->get<std::uint32_t>() : 0;
  };
  const auto type = json.find("type");
  if (type == json.end() || !type->is_number_integer()) return std::nullopt;
  if (type->get<int>() == 0) return KdfConfig::Pbkdf2(number("iterations"));
  if (type->get<int>() == 1) return KdfConfig::Argon2id(number("iterations"), number("memory"), number("parallelism"));
  return std::nullopt;
}

}  // namespace

Result<std::string> DefaultSessionPath() {
  const char* config_home = std::getenv("XDG_CONFIG_HOME");
  if (config_home != nullptr && config_home[0] == '/') {
    return std::string(config_home) + "/keywarden/admin-session.json";
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || home[0] != '/') {
    return InvalidArgumentError("neither XDG_CONFIG_HOME nor HOME is set: give --session-file");
  }
  return std::string(home) + "/.config/keywarden/admin-session.json";
}

Result<Session> LoadSession(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return NotFoundError("not logged in (no session at " + path + "): run keywarden admin login");
    return UnavailableError("cannot read the session file " + path + ": " + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (content.str().size() > kMaxSessionBytes)
    return InvalidArgumentError("the session file " + path + " is too large");
  const nlohmann::json json = nlohmann::json::parse(content.str(), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return InvalidArgumentError("the session file " + path + " is not a session: log in again");
  Session session;
  session.server = Text(json, "server");
  session.ca_file = Text(json, "ca_file");
  session.email = Text(json, "email");
  session.user_id = Text(json, "user_id");
  if (json.contains("kdf")) session.kdf = KdfFromJson(json["kdf"]);
  session.salt = Text(json, "salt");
  session.client_id = Text(json, "client_id");
  session.device_identifier = Text(json, "device_identifier");
  session.access_token = Text(json, "access_token");
  session.refresh_token = Text(json, "refresh_token");
  if (json.contains("access_token_expires") && json["access_token_expires"].is_number_integer()) {
    session.access_token_expires = json["access_token_expires"].get<std::int64_t>();
  }
  if (session.server.empty())
    return InvalidArgumentError("the session file " + path + " names no server: log in again");
  return session;
}

Status SaveSession(const std::string& path, const Session& session) {
  nlohmann::ordered_json json = {{"server", session.server},
                                 {"ca_file", session.ca_file},
                                 {"email", session.email},
                                 {"user_id", session.user_id},
                                 {"kdf", session.kdf ? KdfJson(*session.kdf) : nlohmann::json()},
                                 {"salt", session.salt},
                                 {"client_id", session.client_id},
                                 {"device_identifier", session.device_identifier},
                                 {"access_token", session.access_token},
                                 {"refresh_token", session.refresh_token},
                                 {"access_token_expires", session.access_token_expires}};
  std::string text = json.dump(2) + "\n";

  const std::filesystem::path target(path);
  std::error_code error;
  if (target.has_parent_path() && !std::filesystem::exists(target.parent_path(), error)) {
    std::filesystem::create_directories(target.parent_path(), error);
    if (error) return UnavailableError("cannot create " + target.parent_path().string() + ": " + error.message());
    ::chmod(target.parent_path().c_str(), 0700);
  }
  const std::string temporary = path + ".tmp";
  ::unlink(temporary.c_str());
  // 0600 from the start: the tokens are never readable by others, not even for a moment.
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    WipeString(text);
    return UnavailableError("cannot write the session file " + path + ": " + std::strerror(errno));
  }
  std::size_t written = 0;
  bool ok = ::fchmod(fd, 0600) == 0;
  while (ok && written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  WipeString(text);
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temporary.c_str());
    return UnavailableError("cannot write the session file " + path + ": " + reason);
  }
  return OkStatus();
}

Status RemoveSession(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return UnavailableError("cannot remove the session file " + path + ": " + std::strerror(errno));
  }
  return OkStatus();
}

}  // namespace keywarden::cli::admin
