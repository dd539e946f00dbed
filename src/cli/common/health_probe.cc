#include "cli/common/health_probe.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "cli/common/output.h"
#include "http/http_client.h"
#include "net/url.h"

namespace keywarden::cli {

Result<std::string> LocalHealthUrl(const config::ListenAddress& listen, bool tls, std::string_view service) {
  if (tls) {
    return InvalidArgumentError(std::string(service) +
                                " serves TLS: give --url https://NAME:PORT/health with a name its certificate covers");
  }
  std::string host = listen.host;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(listen.port) + "/health";
}

Status ProbeHealth(const std::string& url, JsonOutput& out) {
  if (!IsValidUtf8(url)) return InvalidArgumentError("--url is not valid UTF-8");
  if (auto parsed = net::ParseHttpUrl(url); !parsed.ok()) {
    return InvalidArgumentError("--url: " + parsed.status().message());
  }
  http::HttpClientOptions client;
  client.timeout = std::chrono::seconds(3);
  client.max_body_bytes = 64 * 1024;
  client.allow_plain_http = true;  // our own listener, which speaks plain http behind a proxy
  KW_ASSIGN_OR_RETURN(std::string body, http::HttpGet(url, client));
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  out.Add("url", url);
  out.Add("status", json.is_object() && json.contains("status") && json["status"].is_string()
                        ? json["status"].get<std::string>()
                        : "Healthy");
  return OkStatus();
}

}  // namespace keywarden::cli
