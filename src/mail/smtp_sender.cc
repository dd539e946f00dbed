#include "mail/smtp_sender.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <string_view>

#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/secure_buffer.h"
#include "net/url.h"

namespace keywarden::mail {
namespace {

struct EasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// libcurl's global state, once per process, before any handle (its documented rule for threads).
Status InitCurl() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) return InternalError(std::string("libcurl failed to start: ") + curl_easy_strerror(result));
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  bool smtps = false;
  for (const char* const* protocol = info->protocols; protocol != nullptr && *protocol != nullptr; ++protocol) {
    smtps = smtps || std::strcmp(*protocol, "smtps") == 0;
  }
  if (!smtps || (info->features & CURL_VERSION_SSL) == 0) {
    return UnsupportedError("this libcurl cannot send mail over TLS (no smtps)");
  }
  return OkStatus();
}

// The name this machine greets the server with (EHLO), when it is a usable host name; curl's
// default otherwise. Some servers refuse to be greeted as "localhost" by a remote client.
std::string GreetingName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "";
  const std::string_view host(name);
  return net::IsValidHost(host) && host.find(':') == std::string_view::npos ? std::string(host) : "";
}

struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t ReadUpload(char* buffer, std::size_t size, std::size_t items, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * items, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

// The SMTP reply code curl last saw, or 0.
long LastReply(CURL* curl) {
  long code = 0;
  if (curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK) return 0;
  return code;
}

class SmtpSender final : public MailSender {
 public:
  SmtpSender(MailSettings settings, SecureBuffer password)
      : settings_(std::move(settings)), password_(std::move(password)) {
    const bool ipv6 = settings_.host.find(':') != std::string::npos;
    const std::string host = ipv6 ? "[" + settings_.host + "]" : settings_.host;
    where_ = "mail server " + host + ":" + std::to_string(settings_.port);
    url_ = std::string(settings_.security == MailSettings::Security::kTls ? "smtps://" : "smtp://") + host + ":" +
           std::to_string(settings_.port) + "/" + GreetingName();
    from_ = Mailbox{settings_.from_address, settings_.from_name};
  }

  Status Send(const Message& message) override {
    KW_ASSIGN_OR_RETURN(std::string data, RenderMessage(message, from_, std::chrono::system_clock::now()));
    std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
    if (curl == nullptr) return InternalError("libcurl could not make a handle");
    std::unique_ptr<curl_slist, ListDeleter> recipients(curl_slist_append(nullptr, ("<" + message.to + ">").c_str()));
    if (recipients == nullptr) return InternalError("out of memory");
    const std::string mail_from = "<" + settings_.from_address + ">";
    const long timeout_ms = static_cast<long>(settings_.timeout_seconds) * 1000;
    Upload upload{data};
    char detail[CURL_ERROR_SIZE] = {};

    CURL* h = curl.get();
    CURLcode set = CURLE_OK;
    auto option = [&set](CURLcode result) {
      if (set == CURLE_OK) set = result;
    };
    option(curl_easy_setopt(h, CURLOPT_ERRORBUFFER, detail));
    option(curl_easy_setopt(h, CURLOPT_URL, url_.c_str()));
    option(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps"));
    option(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L));  // timeouts without SIGALRM: we run on many threads
    option(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms));
    option(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms));
    if (settings_.security != MailSettings::Security::kNone) {
      // CURLUSESSL_ALL: STARTTLS or fail. CURLUSESSL_TRY would fall back to plain text, which an
      // attacker on the path gets by deleting STARTTLS from the server's answer.
      option(curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL)));
      option(curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)));
      option(curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L));
      option(curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L));
      if (!settings_.ca_file.empty()) option(curl_easy_setopt(h, CURLOPT_CAINFO, settings_.ca_file.c_str()));
    } else {
      option(curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_NONE)));
    }
    if (!settings_.username.empty()) {
      option(curl_easy_setopt(h, CURLOPT_USERNAME, settings_.username.c_str()));
      option(curl_easy_setopt(h, CURLOPT_PASSWORD, reinterpret_cast<const char*>(password_.data())));
    }
    option(curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str()));
    option(curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get()));
    option(curl_easy_setopt(h, CURLOPT_UPLOAD, 1L));
    option(curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadUpload));
    option(curl_easy_setopt(h, CURLOPT_READDATA, &upload));
    if (set != CURLE_OK) return InternalError(where_ + ": libcurl refused an option: " + curl_easy_strerror(set));

    const CURLcode result = curl_easy_perform(h);
    if (result == CURLE_OK) return OkStatus();
    return Failure(result, LastReply(h), detail);
  }

 private:
  // One line: where, what happened, and curl's own words (never the password, which curl does
  // not put there, and which is taken out should it ever appear).
  Status Failure(CURLcode result, long reply, std::string_view detail) const {
    std::string why(detail.empty() ? curl_easy_strerror(result) : detail);
    std::replace_if(
        why.begin(), why.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
    while (!why.empty() && why.back() == ' ') why.pop_back();
    const std::string_view secret =
        password_.empty() ? std::string_view() : password_.view().substr(0, password_.size() - 1);
    for (std::size_t at; !secret.empty() && (at = why.find(secret)) != std::string::npos;) {
      why.replace(at, secret.size(), "***");
    }
    const auto line = [&](std::string_view what) { return where_ + ": " + std::string(what) + " (" + why + ")"; };
    const std::string code = " (SMTP " + std::to_string(reply) + ")";
    const bool permanent = reply >= 500 && reply < 600;

    switch (result) {
      case CURLE_LOGIN_DENIED: return AuthenticationError(line("the server refused the login of mail.username"));
      case CURLE_USE_SSL_FAILED:
        return UnavailableError(line("the server does not offer STARTTLS; nothing is sent in plain text"));
      case CURLE_PEER_FAILED_VERIFICATION:
        return UnavailableError(line("the server's certificate is not trusted or does not name the host"));
      case CURLE_SSL_CACERT_BADFILE: return InvalidArgumentError(line("mail.ca_file cannot be used"));
      case CURLE_SSL_CONNECT_ERROR: return UnavailableError(line("TLS handshake failed"));
      case CURLE_OPERATION_TIMEDOUT:
        return UnavailableError(line("no answer within " + std::to_string(settings_.timeout_seconds) + " s"));
      case CURLE_COULDNT_RESOLVE_HOST: return UnavailableError(line("cannot resolve the host name"));
      case CURLE_COULDNT_CONNECT: return UnavailableError(line("cannot connect"));
      default: break;
    }
    // 530: "authentication required", whatever the command it answered.
    if (reply == 530) return AuthenticationError(line("the server requires a login (mail.username, mail.password)"));
    // curl's own words carry the reply code here ("RCPT failed: 550").
    if (why.rfind("RCPT failed", 0) == 0) {
      return permanent ? InvalidArgumentError(line("the server refused the recipient"))
                       : UnavailableError(line("the server refused the recipient for now"));
    }
    if (why.rfind("MAIL failed", 0) == 0) {
      return permanent ? InvalidArgumentError(line("the server refused the sender address mail.from"))
                       : UnavailableError(line("the server refused the sender for now"));
    }
    if (permanent) return InvalidArgumentError(line("the server refused the message" + code));
    return UnavailableError(line(curl_easy_strerror(result)));
  }

  const MailSettings settings_;  // without the password
  const SecureBuffer password_;  // NUL-terminated for libcurl; empty without a login
  Mailbox from_;
  std::string url_;
  std::string where_;  // "mail server HOST:PORT", the start of every error
};

}  // namespace

Result<std::unique_ptr<MailSender>> OpenSmtpSender(const MailSettings& settings) {
  if (!settings.enabled()) return MailNotConfigured();
  KW_RETURN_IF_ERROR(CheckMail(settings));
  if (!settings.ca_file.empty() && !std::ifstream(settings.ca_file).good()) {
    return InvalidArgumentError("mail.ca_file cannot be read");
  }
  KW_RETURN_IF_ERROR(InitCurl());

  SecureBuffer password;
  if (!settings.password.empty()) {
    password = SecureBuffer(settings.password.size() + 1);  // zero-filled: the last byte ends the C string
    std::memcpy(password.data(), settings.password.data(), settings.password.size());
  }
  MailSettings copy = settings;
  WipeString(copy.password);
  copy.password.clear();
  return std::unique_ptr<MailSender>(new SmtpSender(std::move(copy), std::move(password)));
}

}  // namespace keywarden::mail
