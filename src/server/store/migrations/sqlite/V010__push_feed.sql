-- The push outbox becomes a feed (issue 18): every instance of the server delivers each
-- notification to the hub connections it holds, so none can remove a row for all. Rows are read
-- in `sequence` order (SQLite has one writer, so the order rows become visible is their order)
-- and removed by housekeeping once no instance can still need them. Queued rows of the old shape
-- were never delivered to anyone: there was no hub, so they are dropped.
DROP TABLE push_notifications;
CREATE TABLE push_notifications(
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type INTEGER NOT NULL,                      -- the reference's PushType
  payload TEXT NOT NULL,                      -- JSON, as the hub sends it
  context_id TEXT,                            -- the acting device's identifier; its clients skip it
  creation_date INTEGER NOT NULL
);
CREATE INDEX push_notifications_by_user ON push_notifications(user_id, creation_date);
CREATE INDEX push_notifications_by_date ON push_notifications(creation_date);
