-- The first schema: accounts, devices, sessions, two-step login, and the personal vault.
-- Ids are lower-case GUIDs as text; times are milliseconds since the epoch (UTC).
CREATE TABLE users(
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,                 -- trimmed and lower-cased
  email_verified INTEGER NOT NULL DEFAULT 0,
  name TEXT,
  culture TEXT NOT NULL DEFAULT 'en-US',
  password_hash TEXT,                         -- PHC string (Argon2id) of the client's hash; NULL: no master password
  password_hint TEXT,
  salt TEXT,                                  -- the master password salt the client used
  kdf_type INTEGER NOT NULL,
  kdf_iterations INTEGER NOT NULL,
  kdf_memory INTEGER,
  kdf_parallelism INTEGER,
  user_key TEXT,                              -- the user key wrapped by the master key (EncString)
  public_key TEXT,                            -- base64 SPKI
  private_key TEXT,                           -- the private key wrapped by the user key (EncString)
  user_key_id TEXT,                           -- 32 hex characters, posted by the client
  security_stamp TEXT NOT NULL,
  api_key TEXT NOT NULL,                      -- the secret of client_credentials (user.<id>)
  premium INTEGER NOT NULL DEFAULT 0,
  force_password_reset INTEGER NOT NULL DEFAULT 0,
  uses_key_connector INTEGER NOT NULL DEFAULT 0,
  avatar_color TEXT,
  creation_date INTEGER NOT NULL,
  revision_date INTEGER NOT NULL,             -- the profile's
  account_revision_date INTEGER NOT NULL      -- anything a sync returns; clients sync when it moves
);

CREATE TABLE devices(
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  identifier TEXT NOT NULL,                   -- the client's own id for itself
  type INTEGER NOT NULL,
  name TEXT NOT NULL,
  push_token TEXT,
  creation_date INTEGER NOT NULL,
  revision_date INTEGER NOT NULL,
  UNIQUE(user_id, identifier)
);

-- Refresh tokens are stored as SHA-256 hashes only. Each use rotates the token; the used one is
-- kept, marked, until it expires, so that a second use is recognised and revokes its family.
CREATE TABLE refresh_tokens(
  token_hash BLOB PRIMARY KEY,
  family_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  device_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  security_stamp TEXT NOT NULL,               -- the user's at issue: a changed stamp ends the session
  creation_date INTEGER NOT NULL,
  expiration_date INTEGER NOT NULL,
  used_date INTEGER
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens(family_id);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens(user_id);

-- Two-step login providers (0 authenticator, 1 e-mail, ...); data is the provider's JSON.
CREATE TABLE two_factor_providers(
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  provider INTEGER NOT NULL,
  enabled INTEGER NOT NULL,
  data TEXT NOT NULL,
  revision_date INTEGER NOT NULL,
  PRIMARY KEY(user_id, provider)
);

-- "Remember me" tokens for two-step login, and one-time codes (e-mail login, verification),
-- both as hashes only.
CREATE TABLE two_factor_remembered(
  token_hash BLOB PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expiration_date INTEGER NOT NULL
);
CREATE TABLE one_time_codes(
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL,
  code_hash BLOB NOT NULL,
  expiration_date INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(user_id, purpose)
);

-- Tokens mailed (or, without mail, handed back) to prove an address: registration, e-mail change.
-- Hashes only; a token is used once.
CREATE TABLE email_tokens(
  token_hash BLOB PRIMARY KEY,
  purpose TEXT NOT NULL,                      -- "register", "change_email"
  email TEXT NOT NULL,
  user_id TEXT,
  name TEXT,
  expiration_date INTEGER NOT NULL
);

-- Failed logins by account and by client address, shared by every instance.
CREATE TABLE login_failures(
  subject TEXT PRIMARY KEY,                   -- "account:<email>" or "address:<ip>"
  failures INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  blocked_until INTEGER NOT NULL
);

-- Token-signing keys that have signed, by kid, so that every instance publishes a key until the
-- last token it signed has expired.
CREATE TABLE signing_keys(
  kid TEXT PRIMARY KEY,
  public_jwk TEXT NOT NULL,
  first_used INTEGER NOT NULL,
  last_used INTEGER NOT NULL
);

CREATE TABLE folders(
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,                         -- EncString
  creation_date INTEGER NOT NULL,
  revision_date INTEGER NOT NULL
);
CREATE INDEX folders_by_user ON folders(user_id);

-- A cipher belongs to a user (personal) or an organisation. `data` is the validated JSON of its
-- encrypted fields (name, notes, login, fields, ...), stored as the client sent them.
CREATE TABLE ciphers(
  id TEXT PRIMARY KEY,
  user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
  organization_id TEXT,
  type INTEGER NOT NULL,
  data TEXT NOT NULL,
  folder_id TEXT,                             -- the owner's folder (personal ciphers)
  favorite INTEGER NOT NULL DEFAULT 0,
  reprompt INTEGER NOT NULL DEFAULT 0,
  creation_date INTEGER NOT NULL,
  revision_date INTEGER NOT NULL,
  deleted_date INTEGER,
  archived_date INTEGER
);
CREATE INDEX ciphers_by_user ON ciphers(user_id);
CREATE INDEX ciphers_by_organization ON ciphers(organization_id);
