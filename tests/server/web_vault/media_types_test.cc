// web_vault/media_types.h: Content-Types and which files may be cached for good.
#include "server/web_vault/media_types.h"

#include <gtest/gtest.h>

namespace keywarden::server::web_vault {
namespace {

TEST(MediaTypes, WhatAWebVaultBuildHolds) {
  EXPECT_EQ(MediaTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(MediaTypeFor("main.3f2a9c1b0d.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(MediaTypeFor("styles.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(MediaTypeFor("messages.json"), "application/json; charset=utf-8");
  EXPECT_EQ(MediaTypeFor("manifest.webmanifest"), "application/manifest+json; charset=utf-8");
  EXPECT_EQ(MediaTypeFor("bitwarden_wasm_internal_bg.wasm"), "application/wasm");
  EXPECT_EQ(MediaTypeFor("logo.svg"), "image/svg+xml");
  EXPECT_EQ(MediaTypeFor("favicon.ico"), "image/x-icon");
  EXPECT_EQ(MediaTypeFor("font.woff2"), "font/woff2");
  EXPECT_EQ(MediaTypeFor("icon.png"), "image/png");
}

TEST(MediaTypes, UnknownOrMissingExtensionsAreOpaqueBytes) {
  for (const char* name : {"README", "archive.tar.zst", "script.sh", "page.html.bak", "x."}) {
    EXPECT_EQ(MediaTypeFor(name), "application/octet-stream") << name;
  }
}

TEST(MediaTypes, OnlyNamesWithAContentHashAreFingerprinted) {
  for (const char* name : {"main.3f2a9c1b0d7e6f5a4b3c.js", "styles.a1b2c3d4.css", "runtime.0123abcd.chunk.js",
                           "font.9e8d7c6b5a4f.woff2"}) {
    EXPECT_TRUE(IsFingerprinted(name)) << name;
  }
  for (const char* name : {"index.html", "main.js", "app-id.json", "main.3f2a9c1.js", "deadbeefcafe.js",
                           "logo.deadbeef.svg", "3f2a9c1b0d.js", "main.3f2a9c1b0d", "main.3f2a9c1b0x.js"}) {
    EXPECT_FALSE(IsFingerprinted(name)) << name;
  }
}

}  // namespace
}  // namespace keywarden::server::web_vault
