// The first failures of a load run, collected from many threads and printed once at its end:
// a run that goes wrong fails thousands of requests, and twenty say what happened.
#ifndef KEYWARDEN_TESTS_SUPPORT_FAILURE_LIST_H_
#define KEYWARDEN_TESTS_SUPPORT_FAILURE_LIST_H_

#include <cstddef>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace keywarden::testing {

// Thread-safe.
class FailureList {
 public:
  static constexpr std::size_t kKept = 20;

  // Keeps `what` unless kKept failures are kept already.
  void Fail(std::string what) {
    std::lock_guard lock(mu_);
    if (failures_.size() < kKept) failures_.push_back(std::move(what));
  }
  // The failures kept, one per line ("" when none).
  std::string Failures() const {
    std::lock_guard lock(mu_);
    std::string text;
    for (const std::string& f : failures_) text += f + "\n";
    return text;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> failures_;
};

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_SUPPORT_FAILURE_LIST_H_
