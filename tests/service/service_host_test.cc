// ServiceHost over a real socket: the status routes every service gets, the health check, the
// request metrics labelled by route pattern, and a clean stop.
#include "service/service_host.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <regex>
#include <string>

#include "support/http_test_client.h"
#include "telemetry/log.h"

namespace keywarden::service {
namespace {

using ::keywarden::testing::SendRequest;

class ServiceHostTest : public ::testing::Test {
 protected:
  void StartHost(std::string metrics_token = "") {
    ServiceHostOptions options;
    options.metrics_token = std::move(metrics_token);
    options.name = "test service";
    options.server.port = 0;
    options.server.threads = 1;
    options.health = {{"database", [this]() -> Status {
                         return healthy_ ? OkStatus() : UnavailableError("connection to db.internal:5432 refused");
                       }}};
    auto host = ServiceHost::Create(std::move(options));
    ASSERT_TRUE(host.ok()) << host.status().ToString();
    host_ = std::move(host).value();
    host_->router().Add("GET", "/things/{id}", [](const http::HttpRequest& request) {
      return http::JsonResponse(200, {{"id", std::string(request.path_param("id"))}});
    });
    ASSERT_TRUE(host_->Start().ok());
    ASSERT_NE(host_->port(), 0);
  }

  std::atomic<bool> healthy_{true};
  std::unique_ptr<ServiceHost> host_;
};

TEST_F(ServiceHostTest, AliveAndNowAnswerTheUtcTime) {
  StartHost();
  for (const char* path : {"/alive", "/now"}) {
    auto response = SendRequest(host_->port(), "GET", path);
    ASSERT_EQ(response.status, 200) << path;
    ASSERT_TRUE(response.json().is_string()) << response.body;
    EXPECT_TRUE(
        std::regex_match(response.json().get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
        << response.body;
  }
}

TEST_F(ServiceHostTest, HealthFollowsTheServicesCheck) {
  StartHost();
  auto healthy = SendRequest(host_->port(), "GET", "/health");
  EXPECT_EQ(healthy.status, 200);
  EXPECT_EQ(healthy.json()["status"], "Healthy");
  healthy_ = false;
  auto unhealthy = SendRequest(host_->port(), "GET", "/health");
  EXPECT_EQ(unhealthy.status, 503);
  EXPECT_EQ(unhealthy.json()["status"], "Unhealthy");
  EXPECT_EQ(unhealthy.json()["message"], "database unavailable");
}

// /health is unauthenticated: it names the failing part, and the reason (host names, file paths,
// the database's words) goes to the log, once per interval however often /health is asked.
TEST_F(ServiceHostTest, HealthKeepsTheReasonInTheLogOncePerInterval) {
  StartHost();
  healthy_ = false;
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 5; ++i) {
    auto unhealthy = SendRequest(host_->port(), "GET", "/health");
    EXPECT_EQ(unhealthy.status, 503);
    EXPECT_EQ(unhealthy.body.find("db.internal"), std::string::npos) << unhealthy.body;
  }
  healthy_ = true;
  EXPECT_EQ(SendRequest(host_->port(), "GET", "/health").status, 200);
  ASSERT_TRUE(telemetry::FlushLogs(std::chrono::seconds(5)));  // lines are written by the log's own thread
  const std::string log = ::testing::internal::GetCapturedStderr();
  std::size_t lines = 0;
  for (std::size_t at = log.find("db.internal:5432"); at != std::string::npos; at = log.find("db.internal", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u) << log;
  EXPECT_NE(log.find("health: database passes again"), std::string::npos) << log;
}

TEST_F(ServiceHostTest, MetricsCountRequestsByRoutePatternNeverByPath) {
  StartHost();
  EXPECT_EQ(SendRequest(host_->port(), "GET", "/things/a").status, 200);
  EXPECT_EQ(SendRequest(host_->port(), "GET", "/things/b").status, 200);
  EXPECT_EQ(SendRequest(host_->port(), "GET", "/nowhere").status, 404);
  const std::string metrics = SendRequest(host_->port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find(R"(keywarden_http_requests_total{route="/things/{id}",method="GET",status="200"} 2)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(route="other",method="GET",status="404"} 1)"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("/things/a"), std::string::npos) << metrics;
}

// Methods are the sender's choice: a made-up one counts as "other", so no client can add series.
TEST_F(ServiceHostTest, MadeUpMethodsNeverBecomeLabels) {
  StartHost();
  for (int i = 0; i < 50; ++i) {
    const auto response = SendRequest(host_->port(), "XMETHOD" + std::to_string(i), "/things/a");
    EXPECT_GE(response.status, 400) << i;
  }
  EXPECT_EQ(SendRequest(host_->port(), "GET", "/things/a").status, 200);
  const std::string metrics = SendRequest(host_->port(), "GET", "/metrics").body;
  EXPECT_EQ(metrics.find("XMETHOD"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find(R"(route="/things/{id}",method="other",status="405"} 50)"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find(R"(route="/things/{id}",method="GET",status="200"} 1)"), std::string::npos) << metrics;
}

TEST_F(ServiceHostTest, StopEndsServingAndIsIdempotent) {
  StartHost();
  const std::uint16_t port = host_->port();
  host_->Stop(std::chrono::milliseconds(100));
  EXPECT_EQ(host_->port(), 0);
  EXPECT_EQ(SendRequest(port, "GET", "/alive").status, 0);
  host_->Stop(std::chrono::milliseconds(0));
}

TEST_F(ServiceHostTest, StartingTwiceIsRefused) {
  StartHost();
  EXPECT_FALSE(host_->Start().ok());
}

TEST_F(ServiceHostTest, MetricsBehindATokenAnswerOnlyThatToken) {
  StartHost("scrape-0123456789abcdef");
  for (const http::HeaderMap& headers :
       {http::HeaderMap{}, http::HeaderMap{{"Authorization", "Bearer wrong-0123456789abcdef"}},
        http::HeaderMap{{"Authorization", "Bearer scrape-0123456789abcde"}},
        http::HeaderMap{{"Authorization", "Basic scrape-0123456789abcdef"}}}) {
    std::vector<std::pair<std::string, std::string>> fields(headers.begin(), headers.end());
    auto refused = SendRequest(host_->port(), "GET", "/metrics", fields);
    EXPECT_EQ(refused.status, 401) << refused.body;
    EXPECT_EQ(refused.body.find("keywarden_http_requests_total"), std::string::npos);
  }
  auto scraped = SendRequest(host_->port(), "GET", "/metrics", {{"Authorization", "bearer scrape-0123456789abcdef"}});
  EXPECT_EQ(scraped.status, 200);
  EXPECT_NE(scraped.body.find("keywarden_http_requests_total"), std::string::npos);
  // The other status routes stay open.
  EXPECT_EQ(SendRequest(host_->port(), "GET", "/alive").status, 200);
}

TEST_F(ServiceHostTest, MetricsAreOpenWithoutAToken) {
  StartHost();
  EXPECT_EQ(SendRequest(host_->port(), "GET", "/metrics").status, 200);
}

}  // namespace
}  // namespace keywarden::service
