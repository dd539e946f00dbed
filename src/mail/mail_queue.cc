#include "mail/mail_queue.h"

#include <algorithm>
#include <string>
#include <utility>

#include "telemetry/log.h"

namespace keywarden::mail {

MailQueue::MailQueue(std::unique_ptr<MailSender> sender, MailQueueOptions options)
    : sender_(std::move(sender)), options_(options), thread_([this] { Run(); }) {}

MailQueue::~MailQueue() {
  std::size_t abandoned = 0;
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  {
    MutexLock lock(mu_);
    abandoned = queue_.size();
    dropped_ += abandoned;
    queue_.clear();
  }
  if (abandoned > 0) telemetry::LogWarning("mail: " + std::to_string(abandoned) + " messages dropped at shutdown");
}

Status MailQueue::Enqueue(Message message) {
  KW_RETURN_IF_ERROR(CheckMessage(message));
  std::uint64_t dropped = 0;
  {
    MutexLock lock(mu_);
    if (!stop_ && queue_.size() < std::max<std::size_t>(options_.capacity, 1)) {
      queue_.push_back(std::move(message));
      lock.Unlock();
      wake_.notify_one();
      return OkStatus();
    }
    dropped = ++dropped_;
  }
  drop_log_.Warning("mail: queue full",
                    "mail: the queue is full, a message was dropped (" + std::to_string(dropped) + " so far)");
  return UnavailableError("the mail queue is full");
}

bool MailQueue::Flush(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(mu_);
  while (!queue_.empty() || busy_) {
    if (idle_.wait_until(lock.unique_lock(), deadline) == std::cv_status::timeout) return queue_.empty() && !busy_;
  }
  return true;
}

void MailQueue::Run() {
  MutexLock lock(mu_);
  for (;;) {
    while (!stop_ && queue_.empty()) wake_.wait(lock.unique_lock());
    if (stop_) break;
    Message message = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.Unlock();
    const bool finished = Deliver(message);
    lock.Lock();
    busy_ = false;
    if (!finished) ++dropped_;
    if (queue_.empty()) idle_.notify_all();
  }
  idle_.notify_all();
}

bool MailQueue::Deliver(const Message& message) {
  auto delay = options_.first_retry_delay;
  const int attempts = std::max(options_.attempts, 1);
  for (int attempt = 1;; ++attempt) {
    const Status status = sender_->Send(message);
    MutexLock lock(mu_);
    if (status.ok()) {
      ++sent_;
      return true;
    }
    if (status.code() != ErrorCode::kUnavailable || attempt >= attempts) {
      ++failed_;
      lock.Unlock();
      telemetry::LogWarning("mail: a message was not sent after " + std::to_string(attempt) +
                            (attempt == 1 ? " try: " : " tries: ") + status.ToString());
      return true;
    }
    ++retried_;
    // Wait out the delay unless the queue stops meanwhile.
    const auto until = std::chrono::steady_clock::now() + delay;
    while (!stop_) {
      if (wake_.wait_until(lock.unique_lock(), until) == std::cv_status::timeout) break;
    }
    if (stop_) return false;
    delay = std::min(delay * 2, options_.max_retry_delay);
  }
}

std::uint64_t MailQueue::sent() const {
  MutexLock lock(mu_);
  return sent_;
}

std::uint64_t MailQueue::failed() const {
  MutexLock lock(mu_);
  return failed_;
}

std::uint64_t MailQueue::dropped() const {
  MutexLock lock(mu_);
  return dropped_;
}

std::uint64_t MailQueue::retried() const {
  MutexLock lock(mu_);
  return retried_;
}

}  // namespace keywarden::mail
