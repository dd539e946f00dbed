#include "server/web_vault/static_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <system_error>
#include <utility>
#include <vector>

#include "server/web_vault/media_types.h"
#include "server/web_vault/static_path.h"

namespace keywarden::server::web_vault {
namespace {

constexpr std::string_view kIndex = "index.html";
constexpr std::string_view kNoCache = "no-cache";
constexpr std::string_view kForever = "public, max-age=31536000, immutable";

// The server's own paths: a miss below one is an API miss, never a page of the app.
constexpr std::array<std::string_view, 8> kServerPrefixes = {"/api",   "/identity", "/events",  "/notifications",
                                                             "/alive", "/health",   "/metrics", "/now"};

bool IsServerPath(std::string_view target) {
  for (std::string_view prefix : kServerPrefixes) {
    if (target.starts_with(prefix) && (target.size() == prefix.size() || target[prefix.size()] == '/')) return true;
  }
  return false;
}

// A descriptor, closed when it goes.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

enum class Outcome { kFound, kMissing, kTooLarge, kUnreadable };

struct FileRead {
  Outcome outcome = Outcome::kMissing;
  std::string bytes;
  struct stat info {};
  int error = 0;  // errno, for kUnreadable
};

// What a failed open means: a name that is not there (or is a link, or not a directory where
// one was needed) is missing; anything else (permissions, I/O) is unreadable.
FileRead Failed(int error) {
  FileRead read;
  read.error = error;
  read.outcome = error == ENOENT || error == ENOTDIR || error == ELOOP || error == ENAMETOOLONG ? Outcome::kMissing
                                                                                                : Outcome::kUnreadable;
  return read;
}

// Opens `names` below `folder` one name at a time, following no symbolic link, and reads the
// file whole if it is a regular file of at most `max_bytes`.
FileRead ReadBelow(const std::string& folder, const std::vector<std::string>& names, std::size_t max_bytes) {
  Fd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.ok()) return Failed(errno);
  for (std::size_t i = 0; i + 1 < names.size(); ++i) {
    Fd next(::openat(dir.get(), names[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.ok()) return Failed(errno);
    dir = std::move(next);
  }
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below as not a file.
  Fd file(::openat(dir.get(), names.back().c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!file.ok()) return Failed(errno);
  FileRead read;
  if (::fstat(file.get(), &read.info) != 0) return Failed(errno);
  if (!S_ISREG(read.info.st_mode)) return read;  // a directory, a device, a FIFO: not a file to serve
  if (static_cast<std::uint64_t>(read.info.st_size) > max_bytes) {
    read.outcome = Outcome::kTooLarge;
    return read;
  }
  read.bytes.resize(static_cast<std::size_t>(read.info.st_size));
  std::size_t done = 0;
  while (done < read.bytes.size()) {
    const ssize_t n = ::read(file.get(), read.bytes.data() + done, read.bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Failed(errno);
    if (n == 0) break;  // shrunk meanwhile: send what is there
    done += static_cast<std::size_t>(n);
  }
  read.bytes.resize(done);
  read.outcome = Outcome::kFound;
  return read;
}

// W/"<size>-<mtime in ns>", in hex: changes whenever a deployment replaces the file.
std::string EntityTag(const struct stat& info) {
  const auto mtime_ns = static_cast<unsigned long long>(info.st_mtim.tv_sec) * 1'000'000'000ull +
                        static_cast<unsigned long long>(info.st_mtim.tv_nsec);
  char text[64];
  std::snprintf(text, sizeof text, "W/\"%llx-%llx\"", static_cast<unsigned long long>(info.st_size), mtime_ns);
  return text;
}

// Whether If-None-Match lists `tag` (weak comparison, RFC 9110 section 13.1.2) or is "*".
bool NoneMatchHits(std::string_view header, std::string_view tag) {
  const auto opaque = [](std::string_view t) { return t.starts_with("W/") ? t.substr(2) : t; };
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "*" || (!item.empty() && opaque(item) == opaque(tag))) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

void AddSecurityHeaders(http::HttpResponse& response) {
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("X-Frame-Options", "SAMEORIGIN");
  response.headers.emplace_back("Referrer-Policy", "same-origin");
  response.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
}

http::HttpResponse FileResponse(std::string_view name, FileRead read, const http::HttpRequest& request) {
  http::HttpResponse response;
  const std::string tag = EntityTag(read.info);
  response.content_type = std::string(MediaTypeFor(name));
  response.headers.emplace_back("Cache-Control", std::string(IsFingerprinted(name) ? kForever : kNoCache));
  response.headers.emplace_back("ETag", tag);
  AddSecurityHeaders(response);
  if (NoneMatchHits(request.header("If-None-Match"), tag)) {
    response.status = 304;
    return response;
  }
  response.body = std::move(read.bytes);
  return response;
}

http::HttpResponse NotFound() { return http::JsonError(404, "not found"); }

}  // namespace

Result<std::unique_ptr<StaticFiles>> StaticFiles::Open(StaticFilesOptions options) {
  struct stat info {};
  if (::stat(options.folder.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return InvalidArgumentError("'" + options.folder + "' is not a folder");
  }
  FileRead index = ReadBelow(options.folder, {std::string(kIndex)}, options.max_file_bytes);
  if (index.outcome != Outcome::kFound) {
    return InvalidArgumentError("'" + options.folder + "' holds no readable index.html (a web vault build has one)");
  }
  return std::unique_ptr<StaticFiles>(new StaticFiles(std::move(options)));
}

http::HttpResponse StaticFiles::Serve(const http::HttpRequest& request) const {
  if (request.method != "GET" || IsServerPath(request.target)) return NotFound();
  auto names = ParseStaticPath(request.target);
  if (!names.ok()) return NotFound();
  if (names->empty()) names->emplace_back(kIndex);
  FileRead read = ReadBelow(options_.folder, *names, options_.max_file_bytes);
  switch (read.outcome) {
    case Outcome::kFound: return FileResponse(names->back(), std::move(read), request);
    case Outcome::kTooLarge:
      log_.Warning("web vault: too large", "web vault: a file is larger than " +
                                               std::to_string(options_.max_file_bytes) +
                                               " bytes and is not served: " + request.target);
      return NotFound();
    case Outcome::kUnreadable:
      log_.Warning("web vault: unreadable", "web vault: cannot read a file below '" + options_.folder +
                                                "': " + std::error_code(read.error, std::generic_category()).message());
      return NotFound();
    case Outcome::kMissing: break;
  }
  // A missing file with an extension is a missing asset; anything else is one of the app's routes.
  if (names->back().find('.') != std::string::npos) return NotFound();
  FileRead index = ReadBelow(options_.folder, {std::string(kIndex)}, options_.max_file_bytes);
  if (index.outcome != Outcome::kFound) return NotFound();
  return FileResponse(kIndex, std::move(index), request);
}

Status AddWebVault(http::Router& router, const std::string& folder) {
  if (folder.empty()) return OkStatus();
  StaticFilesOptions options;
  options.folder = folder;
  auto files = StaticFiles::Open(std::move(options));
  if (!files.ok()) return files.status().WithContext("web_vault_dir");
  std::shared_ptr<const StaticFiles> shared = *std::move(files);
  router.SetFallback(
      "web vault", [shared](const http::HttpRequest& request) { return shared->Serve(request); },
      http::Execution::kBlocking);
  return OkStatus();
}

}  // namespace keywarden::server::web_vault
