-- Accounts linked to an organisation's identity provider (docs member-decryption.md 7.6; the
-- reference's SsoUser): the provider's subject for this account, so that later logins find the
-- account by what the provider vouches for, never by an e-mail claim alone. One link per
-- account and organisation, and one account per subject.
CREATE TABLE sso_users(
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  external_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  creation_date BIGINT NOT NULL,
  PRIMARY KEY (organization_id, external_id),
  UNIQUE (user_id, organization_id)
);
