// What a web vault file is sent as: its Content-Type, and how long browsers may keep it.
#ifndef KEYWARDEN_SERVER_WEB_VAULT_MEDIA_TYPES_H_
#define KEYWARDEN_SERVER_WEB_VAULT_MEDIA_TYPES_H_

#include <string_view>

namespace keywarden::server::web_vault {

// The Content-Type for `file_name` by its extension (case-insensitive): the types a web vault
// build holds (html, js, css, json, wasm, fonts, images, ...), text ones with charset=utf-8;
// application/octet-stream for anything else, which with `nosniff` no browser runs or renders.
std::string_view MediaTypeFor(std::string_view file_name);

// Whether `file_name` carries a content hash, as a bundler writes it ("main.3f2a9c1b0d.js",
// "styles.a1b2c3d4e5f6a7b8.css"): a dot-separated part, neither the first nor the extension, of
// at least 8 hexadecimal digits with a decimal one among them. Such a file never changes under its name, so browsers
// may keep it for a year; a new build has new names. Deliberately narrow: a miss costs a revalidation, a false hit
// would pin a stale file.
bool IsFingerprinted(std::string_view file_name);

}  // namespace keywarden::server::web_vault

#endif  // KEYWARDEN_SERVER_WEB_VAULT_MEDIA_TYPES_H_
