// Housekeeping: rows whose time is over (sessions, remembered devices, codes, mailed tokens, old
// login-failure counts, auth requests past their windows), deleted in one pass. Safe on every
// instance at once: each statement only deletes what no request can use any more.
#ifndef KEYWARDEN_SERVER_STORE_EXPIRED_ROWS_H_
#define KEYWARDEN_SERVER_STORE_EXPIRED_ROWS_H_

#include "base/time.h"
#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server::store {

// `failure_window_ms`: login-failure counts older than this and not blocking are dropped.
Status DeleteExpiredRows(sql::Session& session, TimeMs now, TimeMs failure_window_ms);

}  // namespace keywarden::server::store

#endif  // KEYWARDEN_SERVER_STORE_EXPIRED_ROWS_H_
