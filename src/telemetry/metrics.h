// A small Prometheus registry: labelled counters, labelled latency histograms and
// scrape-time gauges, rendered in the text exposition format 0.0.4.
//
// Register every metric at start-up; the returned pointers live as long as the registry.
// Recording is thread-safe and lock-light: each label set owns its own atomics, and a
// shared (reader) lock is taken only to find that label set.
#ifndef KEYWARDEN_TELEMETRY_METRICS_H_
#define KEYWARDEN_TELEMETRY_METRICS_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "keywarden/status.h"

namespace keywarden::telemetry {

namespace metrics_internal {

// Orders label-value lists; lookups by a span of string_views avoid allocating on the hot path.
struct LabelValuesLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [](std::string_view x, std::string_view y) { return x < y; });
  }
};

// One metric name with its label names; `Cell` holds the atomics of one label set.
//
// A family holds at most kMaxLabelSets label sets. Callers label with bounded sets (route
// patterns, known methods, status codes); the cap is the backstop should one ever pass a value
// from outside: past it, samples of a new label set count under one set whose every value is
// "other", so memory and the metrics page stay bounded whatever the traffic.
template <typename Cell>
class Family {
 public:
  static constexpr std::size_t kMaxLabelSets = 1000;

  explicit Family(std::vector<std::string> label_names) : label_names_(std::move(label_names)) {}

  // The cell for these label values, created on first use; nullptr if the count is wrong.
  Cell* Get(std::span<const std::string_view> values) {
    if (values.size() != label_names_.size()) return nullptr;
    {
      ReaderMutexLock lock(mu_);
      auto it = cells_.find(values);
      if (it != cells_.end()) return it->second.get();
    }
    WriterMutexLock lock(mu_);
    std::vector<std::string> key(values.begin(), values.end());
    if (cells_.size() >= kMaxLabelSets && cells_.find(key) == cells_.end()) {
      key.assign(values.size(), "other");
    }
    auto& cell = cells_[std::move(key)];
    if (!cell) cell = std::make_unique<Cell>();
    return cell.get();
  }

  const std::vector<std::string>& label_names() const { return label_names_; }

  // Calls fn(values, cell) for every label set, in sorted order.
  template <typename Fn>
  void ForEach(Fn fn) const {
    ReaderMutexLock lock(mu_);
    for (const auto& [values, cell] : cells_) fn(values, *cell);
  }

 private:
  std::vector<std::string> label_names_;
  mutable SharedMutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Cell>, LabelValuesLess> cells_ KW_GUARDED_BY(mu_);
};

struct HistogramCell {
  // Per-bucket (not cumulative) counts; the last one is +Inf. Render() accumulates.
  std::array<std::atomic<std::uint64_t>, 12> buckets{};
  std::atomic<std::uint64_t> sum_ns{0};
};

}  // namespace metrics_internal

class Counter {
 public:
  // Adds `by` to the series with these label values (one per label name, in order).
  // A wrong number of values is a programming error; the sample is dropped.
  void Inc(std::initializer_list<std::string_view> label_values, std::uint64_t by = 1);
  // For a counter without labels.
  void Inc() { Inc({}, 1); }

 private:
  friend class MetricsRegistry;
  explicit Counter(std::vector<std::string> label_names) : family_(std::move(label_names)) {}
  metrics_internal::Family<std::atomic<std::uint64_t>> family_;
};

// Latency in seconds, with the fixed buckets 0.5 ms, 1, 2.5, 5, 10, 25, 50, 100, 250, 500 ms,
// 1 s and +Inf.
class Histogram {
 public:
  static constexpr std::array<std::int64_t, 11> kBucketBoundsNs = {500'000,     1'000'000,   2'500'000,    5'000'000,
                                                                   10'000'000,  25'000'000,  50'000'000,   100'000'000,
                                                                   250'000'000, 500'000'000, 1'000'000'000};

  void Observe(std::initializer_list<std::string_view> label_values, std::chrono::nanoseconds latency);

 private:
  friend class MetricsRegistry;
  explicit Histogram(std::vector<std::string> label_names) : family_(std::move(label_names)) {}
  metrics_internal::Family<metrics_internal::HistogramCell> family_;
};

class MetricsRegistry {
 public:
  // The Content-Type of Render()'s output.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Names follow Prometheus rules ([a-zA-Z_:][a-zA-Z0-9_:]*, labels [a-zA-Z_][a-zA-Z0-9_]*);
  // a bad name is kInvalidArgument, a name already registered kAlreadyExists.
  Result<Counter*> AddCounter(std::string name, std::string help, std::vector<std::string> label_names = {});
  Result<Histogram*> AddHistogram(std::string name, std::string help, std::vector<std::string> label_names = {});
  // A gauge read by calling `read` at every scrape (e.g. the number of keys stored). `read`
  // must be thread-safe and must not call back into this registry.
  Status AddGauge(std::string name, std::string help, std::function<double()> read);

  // Every metric in registration order, label sets sorted, in exposition format 0.0.4.
  std::string Render() const;

 private:
  struct Entry;
  Status CheckNew(const std::string& name, const std::vector<std::string>& label_names) const KW_REQUIRES(mu_);
  // Appends a new entry with this name and help; the caller fills in the metric.
  Entry& AppendEntry(std::string name, std::string help) KW_REQUIRES(mu_);

  mutable Mutex mu_;  // guards entries_ (registration vs. rendering), not the samples
  std::vector<std::unique_ptr<Entry>> entries_ KW_GUARDED_BY(mu_);
};

}  // namespace keywarden::telemetry

#endif  // KEYWARDEN_TELEMETRY_METRICS_H_
