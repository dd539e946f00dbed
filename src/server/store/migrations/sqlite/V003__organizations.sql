-- Organisations (docs core.md 7-9): the organisation and its key pair, its members with their
-- types and statuses, collections and groups with their access, organisation items in
-- collections, policies, and the event log. The server holds only what clients encrypted: the
-- organisation key exists here solely as each member's copy, encapsulated to that member.
CREATE TABLE organizations(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  billing_email TEXT NOT NULL,
  business_name TEXT,
  identifier TEXT UNIQUE,                     -- the single sign-on identifier, once set
  public_key TEXT NOT NULL,                   -- base64 SPKI of the organisation's RSA pair
  private_key TEXT NOT NULL,                  -- its private key under the organisation key (EncString)
  enabled INTEGER NOT NULL DEFAULT 1,
  creation_date INTEGER NOT NULL,
  revision_date INTEGER NOT NULL
);

-- A member: invited by address (user_id NULL until accepted), then accepted, then confirmed with
-- `member_key`. Revoked keeps the row; restore derives the earlier status from what is set.
CREATE TABLE organization_users(
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
  email TEXT,                                 -- the invited address, lower case
  type INTEGER NOT NULL,                      -- 0 owner, 1 admin, 2 user, 4 custom
  status INTEGER NOT NULL,                    -- -1 revoked, 0 invited, 1 accepted, 2 confirmed
  member_key TEXT,                            -- the organisation key encapsulated to the member (4.…)
  reset_password_key TEXT,                    -- account recovery enrolment: the user key to the org's key
  permissions TEXT,                           -- custom members' permissions (JSON)
  access_secrets_manager INTEGER NOT NULL DEFAULT 0,
  external_id TEXT,
  invite_token_hash BLOB,                     -- SHA-256 of the current invitation's token; a reinvite replaces it
  invite_expiration INTEGER,
  creation_date INTEGER NOT NULL,
  revision_date INTEGER NOT NULL,
  UNIQUE(organization_id, user_id),
  UNIQUE(organization_id, email)
);
CREATE INDEX organization_users_by_user ON organization_users(user_id);

CREATE TABLE collections(
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name TEXT NOT NULL,                         -- EncString under the organisation key
  external_id TEXT,
  type INTEGER NOT NULL DEFAULT 0,            -- 0 shared, 1 a member's default collection
  default_user_collection_email TEXT,
  creation_date INTEGER NOT NULL,
  revision_date INTEGER NOT NULL
);
CREATE INDEX collections_by_organization ON collections(organization_id);

CREATE TABLE collection_users(
  collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  organization_user_id TEXT NOT NULL REFERENCES organization_users(id) ON DELETE CASCADE,
  read_only INTEGER NOT NULL DEFAULT 0,
  hide_passwords INTEGER NOT NULL DEFAULT 0,
  manage INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(collection_id, organization_user_id)
);
CREATE INDEX collection_users_by_member ON collection_users(organization_user_id);

CREATE TABLE organization_groups(
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name TEXT NOT NULL,                         -- plain text, as the reference stores it
  external_id TEXT,
  creation_date INTEGER NOT NULL,
  revision_date INTEGER NOT NULL
);
CREATE INDEX organization_groups_by_organization ON organization_groups(organization_id);

CREATE TABLE group_users(
  group_id TEXT NOT NULL REFERENCES organization_groups(id) ON DELETE CASCADE,
  organization_user_id TEXT NOT NULL REFERENCES organization_users(id) ON DELETE CASCADE,
  PRIMARY KEY(group_id, organization_user_id)
);
CREATE INDEX group_users_by_member ON group_users(organization_user_id);

CREATE TABLE collection_groups(
  collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  group_id TEXT NOT NULL REFERENCES organization_groups(id) ON DELETE CASCADE,
  read_only INTEGER NOT NULL DEFAULT 0,
  hide_passwords INTEGER NOT NULL DEFAULT 0,
  manage INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(collection_id, group_id)
);
CREATE INDEX collection_groups_by_group ON collection_groups(group_id);

-- An organisation item is in one or more of its organisation's collections.
CREATE TABLE collection_ciphers(
  collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  cipher_id TEXT NOT NULL REFERENCES ciphers(id) ON DELETE CASCADE,
  PRIMARY KEY(collection_id, cipher_id)
);
CREATE INDEX collection_ciphers_by_cipher ON collection_ciphers(cipher_id);

-- Each member's own folder and favourite flag for an organisation item (a personal item keeps
-- them in its own row).
CREATE TABLE cipher_preferences(
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  cipher_id TEXT NOT NULL REFERENCES ciphers(id) ON DELETE CASCADE,
  folder_id TEXT,
  favorite INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(user_id, cipher_id)
);
CREATE INDEX cipher_preferences_by_cipher ON cipher_preferences(cipher_id);

CREATE TABLE policies(
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  type INTEGER NOT NULL,
  enabled INTEGER NOT NULL,
  data TEXT,                                  -- the policy's options (JSON), as the client sent them
  creation_date INTEGER NOT NULL,
  revision_date INTEGER NOT NULL,
  UNIQUE(organization_id, type)
);

-- The event log, with the reference's event numbers. Rows are never updated; pages are read
-- newest first by (date, id).
CREATE TABLE events(
  id TEXT PRIMARY KEY,
  type INTEGER NOT NULL,
  date INTEGER NOT NULL,
  user_id TEXT,
  organization_id TEXT,
  cipher_id TEXT,
  collection_id TEXT,
  group_id TEXT,
  policy_id TEXT,
  organization_user_id TEXT,
  acting_user_id TEXT,
  device_type INTEGER,
  ip_address TEXT,
  system_user INTEGER
);
CREATE INDEX events_by_organization ON events(organization_id, date, id);
CREATE INDEX events_by_member_actions ON events(organization_id, acting_user_id, date, id);
CREATE INDEX events_by_cipher ON events(cipher_id, date, id);
CREATE INDEX events_by_user ON events(user_id, date, id);
