// libFuzzer target for the connector's HTTP request parsing: raw bytes go through the same
// parser, limits and target checks the server applies to a connection's first request.
//
// Beyond "does not crash or hang", an accepted request must respect the limits and the
// invariants handlers rely on. A violation aborts, so libFuzzer saves the input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fuzz_require.h"
#include "http/server.h"

namespace {

constexpr std::size_t kMaxHeader = 1024;
constexpr std::size_t kMaxBody = 2048;

using ::keywarden::fuzz::Require;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  auto request = keywarden::http::ParseRequestForTest(raw, kMaxHeader, kMaxBody);
  if (!request.ok()) {
    Require(!request.status().message().empty(), "an error has a message");
    return 0;
  }
  Require(!request->method.empty(), "method is not empty");
  Require(!request->target.empty() && request->target.front() == '/', "target is a path");
  Require(request->target.find('?') == std::string::npos, "query is split off");
  Require(request->body.size() <= kMaxBody, "body within the limit");
  Require(request->method.size() + request->target.size() <= kMaxHeader, "request line within the limit");
  return 0;
}
