#include "telemetry/metrics.h"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace keywarden::telemetry {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(MetricsTest, CounterWithLabelsRendersExactly) {
  telemetry::MetricsRegistry registry;
  telemetry::Counter* requests =
      registry.AddCounter("keywarden_http_requests_total", "HTTP requests answered.", {"route", "status"}).value();
  requests->Inc({"/user-keys", "200"});
  requests->Inc({"/user-keys", "200"}, 2);
  requests->Inc({"other", "404"});
  requests->Inc({"only-one-value"});  // wrong arity: dropped
  EXPECT_EQ(registry.Render(),
            "# HELP keywarden_http_requests_total HTTP requests answered.\n"
            "# TYPE keywarden_http_requests_total counter\n"
            "keywarden_http_requests_total{route=\"/user-keys\",status=\"200\"} 3\n"
            "keywarden_http_requests_total{route=\"other\",status=\"404\"} 1\n");
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  telemetry::MetricsRegistry registry;
  telemetry::Counter* c = registry.AddCounter("odd_total", "Help with \\ and\nnewline \"quoted\".", {"v"}).value();
  c->Inc({"a\"b\\c\nd"});
  EXPECT_EQ(registry.Render(),
            "# HELP odd_total Help with \\\\ and\\nnewline \"quoted\".\n"
            "# TYPE odd_total counter\n"
            "odd_total{v=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsTest, AFamilyStopsGrowingAtItsCapAndCountsTheRestAsOther) {
  telemetry::MetricsRegistry registry;
  telemetry::Counter* c = registry.AddCounter("values_total", "Values.", {"v"}).value();
  constexpr std::size_t kCap = telemetry::metrics_internal::Family<std::atomic<std::uint64_t>>::kMaxLabelSets;
  for (std::size_t i = 0; i < kCap + 500; ++i) c->Inc({"value-" + std::to_string(i)});
  c->Inc({"value-0"});  // a set from before the cap still counts as itself
  const std::string text = registry.Render();
  std::size_t series = 0;
  for (std::size_t at = 0; (at = text.find("\nvalues_total{", at)) != std::string::npos; ++at) ++series;
  EXPECT_EQ(series, kCap + 1) << "the cap's sets and one overflow set";
  EXPECT_NE(text.find("values_total{v=\"other\"} 500\n"), std::string::npos);
  EXPECT_NE(text.find("values_total{v=\"value-0\"} 2\n"), std::string::npos);
  EXPECT_EQ(text.find("value-" + std::to_string(kCap) + "\""), std::string::npos);
}

TEST(MetricsTest, UnlabelledCounterStartsAtZero) {
  telemetry::MetricsRegistry registry;
  telemetry::Counter* c = registry.AddCounter("starts_total", "Starts.").value();
  EXPECT_EQ(registry.Render(), "# HELP starts_total Starts.\n# TYPE starts_total counter\nstarts_total 0\n");
  c->Inc();
  EXPECT_NE(registry.Render().find("starts_total 1\n"), std::string::npos);
}

TEST(MetricsTest, HistogramRendersCumulativeBuckets) {
  telemetry::MetricsRegistry registry;
  telemetry::Histogram* h = registry.AddHistogram("latency_seconds", "Request latency.", {"route"}).value();
  h->Observe({"/a"}, microseconds(500));   // exactly on the 0.5 ms bound: le="0.0005"
  h->Observe({"/a"}, milliseconds(3));     // le="0.005"
  h->Observe({"/a"}, milliseconds(2000));  // +Inf only
  EXPECT_EQ(registry.Render(),
            "# HELP latency_seconds Request latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.0005\"} 1\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.001\"} 1\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.0025\"} 1\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.005\"} 2\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.01\"} 2\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.025\"} 2\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.05\"} 2\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.1\"} 2\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.25\"} 2\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.5\"} 2\n"
            "latency_seconds_bucket{route=\"/a\",le=\"1\"} 2\n"
            "latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 3\n"
            "latency_seconds_sum{route=\"/a\"} 2.0035\n"
            "latency_seconds_count{route=\"/a\"} 3\n");
}

TEST(MetricsTest, UnlabelledHistogramAndGauge) {
  telemetry::MetricsRegistry registry;
  ASSERT_TRUE(registry.AddGauge("keys_stored", "Keys stored.", [] { return 42.0; }).ok());
  telemetry::Histogram* h = registry.AddHistogram("op_seconds", "Op.").value();
  h->Observe({}, milliseconds(1));
  std::string text = registry.Render();
  EXPECT_EQ(text.substr(0, text.find("# HELP op_seconds")),
            "# HELP keys_stored Keys stored.\n# TYPE keys_stored gauge\nkeys_stored 42\n");
  EXPECT_NE(text.find("op_seconds_bucket{le=\"0.0005\"} 0\nop_seconds_bucket{le=\"0.001\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("op_seconds_sum 0.001\nop_seconds_count 1\n"), std::string::npos);
}

TEST(MetricsTest, RejectsBadAndDuplicateNames) {
  telemetry::MetricsRegistry registry;
  EXPECT_EQ(registry.AddCounter("9bad", "x").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(registry.AddCounter("bad-name", "x").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(registry.AddCounter("ok_total", "x", {"le"}).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(registry.AddCounter("ok_total", "x", {"bad label"}).status().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(registry.AddCounter("ok_total", "x").ok());
  EXPECT_EQ(registry.AddCounter("ok_total", "x").status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(registry.AddGauge("ok_total", "x", [] { return 1.0; }).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(registry.AddGauge("g", "x", nullptr).code(), ErrorCode::kInvalidArgument);
}

TEST(MetricsTest, ConcurrentIncrementsAreCounted) {
  telemetry::MetricsRegistry registry;
  telemetry::Counter* c = registry.AddCounter("hits_total", "Hits.", {"worker"}).value();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([c, t] {
      for (int i = 0; i < 1000; ++i) c->Inc({i % 2 == 0 ? "even" : "odd"});
      (void)t;
    });
  }
  for (auto& thread : threads) thread.join();
  std::string text = registry.Render();
  EXPECT_NE(text.find("hits_total{worker=\"even\"} 2000\n"), std::string::npos);
  EXPECT_NE(text.find("hits_total{worker=\"odd\"} 2000\n"), std::string::npos);
}

}  // namespace
}  // namespace keywarden::telemetry
