#include "support/smtp_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "keywarden/crypto/encoding.h"
#include "support/test_certificate.h"
#include "support/wait.h"

namespace keywarden::testing {
namespace {

namespace fs = std::filesystem;

constexpr auto kStartDeadline = std::chrono::seconds(20);
constexpr int kMissingAiosmtpd = 3;  // smtp_server.py's exit status when the import fails

// Debian's interpreter, which has Debian's python3-aiosmtpd (a python3 earlier in PATH, from
// pyenv or a virtualenv, may not); KEYWARDEN_PYTHON3 names another.
std::string Python() {
  const char* python = std::getenv("KEYWARDEN_PYTHON3");
  return python != nullptr && *python != '\0' ? python : "/usr/bin/python3";
}

std::uint16_t FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof addr;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

std::string Tail(const fs::path& path, std::size_t max = 1500) {
  const std::string text = ReadFile(path);
  return text.size() > max ? text.substr(text.size() - max) : text;
}

// fork + exec without a shell, output to `log`; the child gets SIGTERM when this thread ends.
Result<pid_t> Spawn(const std::vector<std::string>& args, const std::string& log_path) {
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return InternalError("cannot open " + log_path);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log);
    return InternalError("fork failed");
  }
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(125);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log);
  return pid;
}

std::vector<fs::path> MessageFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(dir, ignored)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string StringOr(const nlohmann::json& json, const char* key) {
  auto it = json.find(key);
  return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::string> OptionalString(const nlohmann::json& json, const char* key) {
  auto it = json.find(key);
  if (it == json.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

ReceivedMail ParseRecord(const std::string& text) {
  ReceivedMail mail;
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) {
    mail.defects.push_back("the server's record is not JSON");
    return mail;
  }
  mail.mail_from = StringOr(json, "mail_from");
  if (auto it = json.find("rcpt_tos"); it != json.end() && it->is_array()) {
    for (const auto& rcpt : *it) mail.recipients.push_back(rcpt.get<std::string>());
  }
  auto raw = Base64Decode(StringOr(json, "raw"));
  if (raw.ok()) mail.data.assign(raw->begin(), raw->end());
  mail.authenticated = json.value("authenticated", false);
  mail.subject = StringOr(json, "subject");
  mail.from_name = StringOr(json, "from_name");
  mail.from_address = StringOr(json, "from_address");
  mail.to = StringOr(json, "to");
  mail.content_type = StringOr(json, "content_type");
  mail.text = OptionalString(json, "plain");
  mail.html = OptionalString(json, "html");
  if (auto it = json.find("defects"); it != json.end() && it->is_array()) {
    for (const auto& defect : *it) mail.defects.push_back(defect.get<std::string>());
  }
  return mail;
}

}  // namespace

Result<std::unique_ptr<SmtpServer>> SmtpServer::Launch(SmtpServerOptions options) {
  if (::access(Python().c_str(), X_OK) != 0) {
    return UnavailableError(Python() + " is not installed (python3-aiosmtpd runs the test SMTP server)");
  }
  std::unique_ptr<SmtpServer> server(new SmtpServer(std::move(options)));
  fs::create_directory(server->dir_.path() / "messages");
  if (server->options_.mode != SmtpServerOptions::Mode::kPlain) {
    const auto files = MakeCertificate(server->dir_.path(), "localhost");
    server->cert_file_ = files.cert_file;
    server->key_file_ = files.key_file;
  }
  server->port_ = FreeLoopbackPort();
  if (server->port_ == 0) return InternalError("no free loopback port");
  KW_RETURN_IF_ERROR(server->Start());
  return server;
}

SmtpServer::~SmtpServer() { (void)Stop(); }

Status SmtpServer::Start() {
  if (pid_ > 0) return OkStatus();
  const fs::path ready = dir_.path() / "ready";
  std::error_code ignored;
  fs::remove(ready, ignored);
  std::vector<std::string> args = {Python(),  KEYWARDEN_SMTP_SERVER_SCRIPT,
                                   "--port",  std::to_string(port_),
                                   "--out",   (dir_.path() / "messages").string(),
                                   "--first", std::to_string(MessageFiles(dir_.path() / "messages").size() + 1),
                                   "--ready", ready.string(),
                                   "--mode"};
  switch (options_.mode) {
    case SmtpServerOptions::Mode::kPlain: args.push_back("plain"); break;
    case SmtpServerOptions::Mode::kStartTls: args.push_back("starttls"); break;
    case SmtpServerOptions::Mode::kTls: args.push_back("tls"); break;
  }
  if (!cert_file_.empty()) args.insert(args.end(), {"--cert", cert_file_, "--key", key_file_});
  if (!options_.username.empty()) {
    args.insert(args.end(), {"--username", options_.username, "--password", options_.password});
  }
  for (const std::string& address : options_.refused_recipients) args.insert(args.end(), {"--refuse", address});

  const std::string log = (dir_.path() / "server.log").string();
  KW_ASSIGN_OR_RETURN(pid_, Spawn(args, log));
  std::optional<int> exit_status;
  const bool up = WaitUntil(
      [&] {
        if (fs::exists(ready)) return true;
        exit_status = WaitForExit(pid_, std::chrono::milliseconds(0));
        return exit_status.has_value();
      },
      kStartDeadline, std::chrono::milliseconds(20));
  if (up && !exit_status.has_value()) return OkStatus();
  if (!exit_status.has_value()) {
    ::kill(pid_, SIGKILL);
    (void)WaitForExit(pid_, std::chrono::seconds(10));
  }
  pid_ = 0;
  if (exit_status.has_value() && WIFEXITED(*exit_status) && WEXITSTATUS(*exit_status) == kMissingAiosmtpd) {
    return UnavailableError("python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd)");
  }
  return InternalError(std::string(exit_status ? "the SMTP server exited" : "the SMTP server did not answer in 20 s") +
                       ": " + Tail(log));
}

Status SmtpServer::Stop() {
  if (pid_ <= 0) return OkStatus();
  ::kill(pid_, SIGTERM);
  Status status;
  if (!WaitForExit(pid_, std::chrono::seconds(10)).has_value()) {
    ::kill(pid_, SIGKILL);
    (void)WaitForExit(pid_, std::chrono::seconds(10));
    status = InternalError("the SMTP server ignored SIGTERM for 10 s");
  }
  pid_ = 0;
  return status;
}

std::vector<ReceivedMail> SmtpServer::Received() const {
  std::vector<ReceivedMail> mails;
  for (const fs::path& file : MessageFiles(dir_.path() / "messages")) mails.push_back(ParseRecord(ReadFile(file)));
  return mails;
}

Result<std::vector<ReceivedMail>> SmtpServer::WaitForMessages(std::size_t count,
                                                              std::chrono::milliseconds deadline) const {
  std::size_t seen = 0;
  WaitUntil(
      [&] {
        seen = MessageFiles(dir_.path() / "messages").size();
        return seen >= count;
      },
      deadline);
  if (seen < count) {
    return UnavailableError(std::to_string(seen) + " of " + std::to_string(count) + " messages arrived within " +
                            std::to_string(deadline.count()) + " ms");
  }
  return Received();
}

SilentListener::SilentListener() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof addr;
  if (listen_fd_ >= 0 && ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::listen(listen_fd_, 64) == 0 && ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &size) == 0) {
    port_ = ntohs(addr.sin_port);
  }
  thread_ = std::thread([this] { Run(); });
}

SilentListener::~SilentListener() {
  stop_ = true;
  thread_.join();
  for (int fd : accepted_) ::close(fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void SilentListener::Run() {
  while (!stop_ && port_ != 0) {
    pollfd entry{listen_fd_, POLLIN, 0};
    if (::poll(&entry, 1, 20) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    accepted_.push_back(fd);
    ++connections_;
  }
}

}  // namespace keywarden::testing
