-- The push outbox becomes a feed (issue 18): every instance of the server delivers each
-- notification to the hub connections it holds, so none can remove a row for all. On PostgreSQL
-- the instances learn of a row through NOTIFY keywarden_push, sent in the transaction that
-- writes it (so only once it commits, in commit order); the rows stay for housekeeping and
-- audit. Queued rows of the old shape were never delivered to anyone: there was no hub.
DROP TABLE push_notifications;
CREATE TABLE push_notifications(
  sequence BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type INTEGER NOT NULL,                      -- the reference's PushType
  payload TEXT NOT NULL,                      -- JSON, as the hub sends it
  context_id TEXT,                            -- the acting device's identifier; its clients skip it
  creation_date BIGINT NOT NULL
);
CREATE INDEX push_notifications_by_user ON push_notifications(user_id, creation_date);
CREATE INDEX push_notifications_by_date ON push_notifications(creation_date);
