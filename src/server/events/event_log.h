// The event log (docs core.md 9): what happened in an organisation or to an account, with the
// reference's event numbers, written off the request's path.
//
// Record() only queues the event: a writer thread stores queued events in batches, one
// transaction each, so a request that causes an event never waits for its write. Stop() (and the
// destructor) writes what is queued before returning. If the queue is full (the database is
// down or far behind), further events are dropped and counted, never blocking a request.
//
// Thread-safe.
#ifndef KEYWARDEN_SERVER_EVENTS_EVENT_LOG_H_
#define KEYWARDEN_SERVER_EVENTS_EVENT_LOG_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/time.h"
#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server::events {

// The reference's numbers (EventType.cs) for what this server logs.
enum class EventType {
  kUserLoggedIn = 1000,
  kUserChangedPassword = 1001,
  kUserUpdated2fa = 1002,
  kUserDisabled2fa = 1003,
  kUserRecovered2fa = 1004,
  kUserFailedLogIn = 1005,
  kUserFailedLogIn2fa = 1006,
  kUserClientExportedVault = 1007,
  kUserUpdatedTempPassword = 1008,
  kUserMigratedKeyToKeyConnector = 1009,
  kUserRequestedDeviceApproval = 1010,
  kUserTdeOffboardingPasswordSet = 1011,
  kCipherCreated = 1100,
  kCipherUpdated = 1101,
  kCipherDeleted = 1102,
  kCipherShared = 1105,
  kCipherUpdatedCollections = 1106,
  kCipherClientViewed = 1107,
  kCipherSoftDeleted = 1115,
  kCipherRestored = 1116,
  kCollectionCreated = 1300,
  kCollectionUpdated = 1301,
  kCollectionDeleted = 1302,
  kGroupCreated = 1400,
  kGroupUpdated = 1401,
  kGroupDeleted = 1402,
  kMemberInvited = 1500,
  kMemberConfirmed = 1501,
  kMemberUpdated = 1502,
  kMemberRemoved = 1503,
  kMemberUpdatedGroups = 1504,
  kMemberUnlinkedSso = 1505,
  kMemberResetPasswordEnroll = 1506,
  kMemberResetPasswordWithdraw = 1507,
  kMemberAdminResetPassword = 1508,
  kMemberResetSsoLink = 1509,
  kMemberFirstSsoLogin = 1510,
  kMemberRevoked = 1511,
  kMemberRestored = 1512,
  kMemberApprovedAuthRequest = 1513,
  kMemberRejectedAuthRequest = 1514,
  kMemberLeft = 1516,
  kMemberAdminResetTwoFactor = 1519,
  kMemberRevokedForTwoStepLoginPolicy = 1520,
  kMemberRevokedForSingleOrgPolicy = 1521,
  kOrganizationUpdated = 1600,
  kOrganizationEnabledSso = 1604,
  kOrganizationDisabledSso = 1605,
  kOrganizationEnabledKeyConnector = 1606,
  kOrganizationDisabledKeyConnector = 1607,
  kPolicyUpdated = 1700,
};

struct Event {
  int type = 0;  // an EventType, or a client-side number accepted by POST /events/collect
  TimeMs date = 0;
  std::string user_id;  // the account the event is about (user events), or empty
  std::string organization_id;
  std::string cipher_id;
  std::string collection_id;
  std::string group_id;
  std::string policy_id;
  std::string organization_user_id;
  std::string acting_user_id;  // who did it
  std::optional<int> device_type;
  std::string ip_address;
};

// Stores events in `database` (the events table) from its own thread.
class EventLog {
 public:
  struct Options {
    std::size_t max_queued = 100000;  // beyond this, events are dropped (and counted)
    std::size_t max_batch = 500;      // events per transaction
  };

  EventLog(sql::Database& database, Options options);
  explicit EventLog(sql::Database& database) : EventLog(database, Options{}) {}
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Queues `event`; never waits for the database.
  void Record(Event event) KW_EXCLUDES(mu_);
  // Returns once every event recorded before the call is stored (or has failed to be). Tests and
  // shutdown use it; requests never do.
  void Flush() KW_EXCLUDES(mu_);
  // Events dropped because the queue was full, or lost because their write failed.
  std::uint64_t dropped() const KW_EXCLUDES(mu_);

 private:
  void Run() KW_EXCLUDES(mu_);
  Status Write(const std::vector<Event>& batch);

  sql::Database& database_;
  const Options options_;
  mutable Mutex mu_;
  std::condition_variable cv_;       // work queued, or stopping
  std::condition_variable flushed_;  // a batch was written
  std::deque<Event> queue_ KW_GUARDED_BY(mu_);
  std::uint64_t recorded_ KW_GUARDED_BY(mu_) = 0;  // events ever queued
  std::uint64_t settled_ KW_GUARDED_BY(mu_) = 0;   // events ever written or lost
  std::uint64_t dropped_ KW_GUARDED_BY(mu_) = 0;
  bool stopping_ KW_GUARDED_BY(mu_) = false;
  std::thread writer_;
};

}  // namespace keywarden::server::events

#endif  // KEYWARDEN_SERVER_EVENTS_EVENT_LOG_H_
