#include "telemetry/metrics.h"

#include <charconv>
#include <cmath>
#include <utility>

namespace keywarden::telemetry {
namespace {

constexpr std::array<std::string_view, 12> kBucketLabels = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
                                                            "0.05",   "0.1",   "0.25",   "0.5",   "1",    "+Inf"};

bool ValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Label values escape backslash, double quote and newline; HELP text only backslash and newline.
void AppendEscaped(std::string& out, std::string_view text, bool escape_quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void AppendDouble(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buffer[64];
    auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out.append(buffer, result.ptr);
  }
}

// `{a="x",b="y"}` (plus an optional `le` label); nothing at all when there are no labels.
void AppendLabels(std::string& out, const std::vector<std::string>& names, const std::vector<std::string>& values,
                  std::string_view le = {}) {
  if (names.empty() && le.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    AppendEscaped(out, values[i], /*escape_quote=*/true);
    out += '"';
  }
  if (!le.empty()) {
    if (!names.empty()) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

void AppendHeader(std::string& out, const std::string& name, const std::string& help, std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  AppendEscaped(out, help, /*escape_quote=*/false);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

}  // namespace

struct MetricsRegistry::Entry {
  std::string name;
  std::string help;
  std::unique_ptr<Counter> counter;
  std::unique_ptr<Histogram> histogram;
  std::function<double()> gauge;
};

void Counter::Inc(std::initializer_list<std::string_view> label_values, std::uint64_t by) {
  auto* cell = family_.Get(std::span<const std::string_view>(label_values.begin(), label_values.size()));
  if (cell != nullptr) cell->fetch_add(by, std::memory_order_relaxed);
}

void Histogram::Observe(std::initializer_list<std::string_view> label_values, std::chrono::nanoseconds latency) {
  auto* cell = family_.Get(std::span<const std::string_view>(label_values.begin(), label_values.size()));
  if (cell == nullptr) return;
  std::int64_t ns = latency.count() < 0 ? 0 : latency.count();
  std::size_t bucket = 0;
  while (bucket < kBucketBoundsNs.size() && ns > kBucketBoundsNs[bucket]) ++bucket;
  cell->buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  cell->sum_ns.fetch_add(static_cast<std::uint64_t>(ns), std::memory_order_relaxed);
}

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

Status MetricsRegistry::CheckNew(const std::string& name, const std::vector<std::string>& label_names) const {
  if (!ValidName(name, /*allow_colon=*/true)) return InvalidArgumentError("invalid metric name: " + name);
  for (const auto& label : label_names) {
    // "le" is reserved for histogram buckets; "__" prefixes for Prometheus itself.
    if (!ValidName(label, /*allow_colon=*/false) || label == "le" || label.starts_with("__")) {
      return InvalidArgumentError("invalid label name for " + name + ": " + label);
    }
  }
  for (const auto& entry : entries_) {
    if (entry->name == name) return AlreadyExistsError("metric already registered: " + name);
  }
  return OkStatus();
}

MetricsRegistry::Entry& MetricsRegistry::AppendEntry(std::string name, std::string help) {
  auto entry = std::make_unique<Entry>();
  entry->name = std::move(name);
  entry->help = std::move(help);
  entries_.push_back(std::move(entry));
  return *entries_.back();
}

Result<Counter*> MetricsRegistry::AddCounter(std::string name, std::string help, std::vector<std::string> label_names) {
  MutexLock lock(mu_);
  KW_RETURN_IF_ERROR(CheckNew(name, label_names));
  const bool unlabelled = label_names.empty();
  Entry& entry = AppendEntry(std::move(name), std::move(help));
  entry.counter.reset(new Counter(std::move(label_names)));
  // An unlabelled counter exists from the start, so it renders as 0 before its first Inc.
  if (unlabelled) entry.counter->family_.Get({});
  return entry.counter.get();
}

Result<Histogram*> MetricsRegistry::AddHistogram(std::string name, std::string help,
                                                 std::vector<std::string> label_names) {
  MutexLock lock(mu_);
  KW_RETURN_IF_ERROR(CheckNew(name, label_names));
  const bool unlabelled = label_names.empty();
  Entry& entry = AppendEntry(std::move(name), std::move(help));
  entry.histogram.reset(new Histogram(std::move(label_names)));
  if (unlabelled) entry.histogram->family_.Get({});
  return entry.histogram.get();
}

Status MetricsRegistry::AddGauge(std::string name, std::string help, std::function<double()> read) {
  MutexLock lock(mu_);
  KW_RETURN_IF_ERROR(CheckNew(name, {}));
  if (!read) return InvalidArgumentError("gauge " + name + " needs a read function");
  AppendEntry(std::move(name), std::move(help)).gauge = std::move(read);
  return OkStatus();
}

std::string MetricsRegistry::Render() const {
  MutexLock lock(mu_);
  std::string out;
  for (const auto& entry : entries_) {
    if (entry->counter) {
      AppendHeader(out, entry->name, entry->help, "counter");
      const auto& names = entry->counter->family_.label_names();
      entry->counter->family_.ForEach([&](const std::vector<std::string>& values, const auto& cell) {
        out += entry->name;
        AppendLabels(out, names, values);
        out += ' ';
        out += std::to_string(cell.load(std::memory_order_relaxed));
        out += '\n';
      });
    } else if (entry->histogram) {
      AppendHeader(out, entry->name, entry->help, "histogram");
      const auto& names = entry->histogram->family_.label_names();
      entry->histogram->family_.ForEach(
          [&](const std::vector<std::string>& values, const metrics_internal::HistogramCell& cell) {
            // _count is the +Inf bucket, so the two always agree even while samples arrive.
            std::uint64_t cumulative = 0;
            for (std::size_t i = 0; i < cell.buckets.size(); ++i) {
              cumulative += cell.buckets[i].load(std::memory_order_relaxed);
              out += entry->name;
              out += "_bucket";
              AppendLabels(out, names, values, kBucketLabels[i]);
              out += ' ';
              out += std::to_string(cumulative);
              out += '\n';
            }
            out += entry->name;
            out += "_sum";
            AppendLabels(out, names, values);
            out += ' ';
            AppendDouble(out, static_cast<double>(cell.sum_ns.load(std::memory_order_relaxed)) / 1e9);
            out += '\n';
            out += entry->name;
            out += "_count";
            AppendLabels(out, names, values);
            out += ' ';
            out += std::to_string(cumulative);
            out += '\n';
          });
    } else {
      AppendHeader(out, entry->name, entry->help, "gauge");
      double value = 0;
      try {
        value = entry->gauge();
      } catch (...) {
        value = std::nan("");  // a failing source must not break the whole scrape
      }
      out += entry->name;
      out += ' ';
      AppendDouble(out, value);
      out += '\n';
    }
  }
  return out;
}

}  // namespace keywarden::telemetry
