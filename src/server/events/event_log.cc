#include "server/events/event_log.h"

#include <utility>

#include "auth/user_id.h"
#include "telemetry/log.h"

namespace keywarden::server::events {
namespace {

constexpr sql::Statement kInsert = {
    "server_insert_event",
    "INSERT INTO events(id, type, date, user_id, organization_id, cipher_id, collection_id, group_id, policy_id, "
    "organization_user_id, acting_user_id, device_type, ip_address) VALUES ($1, $2, $3, NULLIF($4, ''), "
    "NULLIF($5, ''), NULLIF($6, ''), NULLIF($7, ''), NULLIF($8, ''), NULLIF($9, ''), NULLIF($10, ''), "
    "NULLIF($11, ''), $12, NULLIF($13, ''))",
    nullptr, nullptr, "to log an event"};

}  // namespace

EventLog::EventLog(sql::Database& database, Options options)
    : database_(database), options_(options), writer_([this] { Run(); }) {}

EventLog::~EventLog() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

void EventLog::Record(Event event) {
  {
    MutexLock lock(mu_);
    if (queue_.size() >= options_.max_queued) {
      ++dropped_;
      return;
    }
    queue_.push_back(std::move(event));
    ++recorded_;
  }
  cv_.notify_one();
}

void EventLog::Flush() {
  MutexLock lock(mu_);
  const std::uint64_t target = recorded_;
  flushed_.wait(lock.unique_lock(), [&]() KW_REQUIRES(mu_) { return settled_ >= target || stopping_; });
}

std::uint64_t EventLog::dropped() const {
  MutexLock lock(mu_);
  return dropped_;
}

void EventLog::Run() {
  std::vector<Event> batch;
  for (;;) {
    {
      MutexLock lock(mu_);
      cv_.wait(lock.unique_lock(), [&]() KW_REQUIRES(mu_) { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything written
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    const Status written = Write(batch);
    {
      MutexLock lock(mu_);
      settled_ += batch.size();
      if (!written.ok()) dropped_ += batch.size();
    }
    if (!written.ok()) {
      telemetry::LogWarning("events not logged (" + std::to_string(batch.size()) + "): " + written.message());
    }
    flushed_.notify_all();
    batch.clear();
  }
}

Status EventLog::Write(const std::vector<Event>& batch) {
  std::vector<std::string> ids;
  ids.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    KW_ASSIGN_OR_RETURN(std::string id, auth::NewGuid());
    ids.push_back(std::move(id));
  }
  return database_.Transact([&](sql::Session& session) -> Status {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const Event& e = batch[i];
      sql::Params p;
      p.Text(ids[i]).Int(e.type).Int(e.date).Text(e.user_id).Text(e.organization_id).Text(e.cipher_id);
      p.Text(e.collection_id).Text(e.group_id).Text(e.policy_id).Text(e.organization_user_id);
      p.Text(e.acting_user_id);
      p.Int(e.device_type ? std::optional<std::int64_t>(*e.device_type) : std::nullopt);
      p.Text(e.ip_address);
      KW_RETURN_IF_ERROR(session.Execute(kInsert, p).status());
    }
    return OkStatus();
  });
}

}  // namespace keywarden::server::events
