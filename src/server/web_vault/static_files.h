// StaticFiles: a web vault build served from a folder at "/", as a single-page app.
//
// What a GET gets (any other method gets the usual 404, as without a web vault):
//  - "/": index.html; a path naming a regular file below the folder: that file.
//  - A path under one of the server's own prefixes (/api, /identity, /events, /notifications,
//    /alive, /health, /metrics, /now) that no route took: the usual 404 JSON, never the app.
//  - Any other unknown path: index.html, so that the app's own routes survive a reload; except
//    when its last name has an extension (a missing script, style or image), which is a 404.
// Headers: Content-Type by extension (web_vault/media_types.h); Cache-Control `no-cache` (always
// revalidate, cheap with the ETag) for index.html and every file without a content hash, and
// `public, max-age=31536000, immutable` for fingerprinted ones; a weak ETag (size and mtime) with
// If-None-Match answered 304; and what a web vault needs from its origin: X-Content-Type-Options
// nosniff, X-Frame-Options SAMEORIGIN, Referrer-Policy same-origin and kContentSecurityPolicy.
//
// Safety: the path is decoded and checked first (web_vault/static_path.h: no "..", no encoded
// slash, no hidden names), then opened one name at a time below the folder, never following a
// symbolic link (a link inside the folder is a 404 like a missing file; the folder itself may be
// one), never opening anything but a regular file (a FIFO cannot block the read). A file larger
// than max_file_bytes, or one the server may not read, is a 404 and a log line (at most one per
// kind every 30 s).
//
// Reads: each request reads its file whole with plain blocking I/O, so the route runs on the
// blocking pool (Execution::kBlocking), never on the I/O threads; the page cache makes repeated
// reads cheap, and nothing is held in memory between requests.
//
// Thread-safety: Serve may be called from any number of threads at once.
#ifndef KEYWARDEN_SERVER_WEB_VAULT_STATIC_FILES_H_
#define KEYWARDEN_SERVER_WEB_VAULT_STATIC_FILES_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "http/http_types.h"
#include "http/router.h"
#include "keywarden/status.h"
#include "telemetry/log_limiter.h"

namespace keywarden::server::web_vault {

// Scripts and styles from the origin only (WebAssembly compiled there: the client SDK), inline
// styles (the app's components use them), images from the origin or data: URLs, frames and
// framing by the origin only (the vault frames its own connector pages), no plugins, and the one
// outside API the vault calls itself (the exposed-passwords report).
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self' https://api.pwnedpasswords.com; "
    "frame-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'self'; form-action 'self'";

struct StaticFilesOptions {
  std::string folder;                      // the web vault build (holding index.html)
  std::size_t max_file_bytes = 32u << 20;  // larger files are refused (the client SDK's wasm is ~10 MB)
};

class StaticFiles {
 public:
  // kInvalidArgument, naming the folder, unless it is a directory holding a regular index.html.
  static Result<std::unique_ptr<StaticFiles>> Open(StaticFilesOptions options);

  // The answer to `request` (see above). Waits on the disk.
  http::HttpResponse Serve(const http::HttpRequest& request) const;

 private:
  explicit StaticFiles(StaticFilesOptions options) : options_(std::move(options)) {}

  const StaticFilesOptions options_;
  mutable telemetry::LogLimiter log_;
};

// Serves the web vault in `folder` as the router's fallback (http::Router::SetFallback, labelled
// "web vault" in metrics, on the blocking pool): the server's one call. Does nothing when `folder`
// is empty. Errors are StaticFiles::Open's, prefixed "web_vault_dir".
Status AddWebVault(http::Router& router, const std::string& folder);

}  // namespace keywarden::server::web_vault

#endif  // KEYWARDEN_SERVER_WEB_VAULT_STATIC_FILES_H_
