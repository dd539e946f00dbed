-- Push notifications for a user's devices (docs member-decryption.md 8: LogOut 11, AuthRequest 15,
-- ...), written in the same transaction as the change that causes them, so that none is lost or
-- sent for a change that was rolled back. The notification hub delivers and removes them.
CREATE TABLE push_notifications(
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type INTEGER NOT NULL,                      -- the reference's PushType
  payload TEXT NOT NULL,                      -- JSON, as the hub sends it
  creation_date INTEGER NOT NULL
);
CREATE INDEX push_notifications_by_user ON push_notifications(user_id, creation_date);
