-- A user's items and folders are read oldest first (creation date, then id) on every sync. With
-- only user_id indexed, the database sorted the whole vault per sync (SQLite in a temporary
-- B-tree spilled to a file: half of the sync's CPU for 5,000 items). These indexes hand the rows
-- out in that order and still serve every lookup by user; they replace the user_id ones.
CREATE INDEX ciphers_by_user_created ON ciphers(user_id, creation_date, id);
DROP INDEX ciphers_by_user;
CREATE INDEX folders_by_user_created ON folders(user_id, creation_date, id);
DROP INDEX folders_by_user;
