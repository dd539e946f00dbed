-- Auth requests (member-decryption.md 2): a device that is logging in, or unlocking, asks
-- another of the user's devices (types 0 and 1) or an administrator of one of the user's
-- organisations (type 2, one row per organisation) for the user key, encapsulated to the
-- request's public key. The answer is final; expired rows are deleted by housekeeping.
--   approved              NULL while unanswered, then 1 (approved) or 0 (denied)
--   encrypted_key         the user key (or a legacy approver's master key) for the requester
--   authentication_date   set when the request was used to log in: a request logs in once
-- SQLite does not enforce the foreign keys: store::DeleteUser and DeleteOrganization delete the
-- rows themselves.
CREATE TABLE auth_requests(
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  organization_id TEXT REFERENCES organizations(id) ON DELETE CASCADE,
  type INTEGER NOT NULL,
  request_device_identifier TEXT NOT NULL,
  request_device_type INTEGER NOT NULL,
  request_ip_address TEXT,
  request_country_name TEXT,
  response_device_id TEXT,
  access_code TEXT NOT NULL,
  public_key TEXT NOT NULL,
  encrypted_key TEXT,
  master_password_hash TEXT,
  approved INTEGER,
  creation_date INTEGER NOT NULL,
  response_date INTEGER,
  authentication_date INTEGER
);
CREATE INDEX auth_requests_by_user ON auth_requests(user_id, creation_date);
CREATE INDEX auth_requests_by_organization ON auth_requests(organization_id, creation_date);
