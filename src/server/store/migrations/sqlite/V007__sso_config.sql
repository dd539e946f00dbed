-- Single sign-on configuration (docs member-decryption.md 5 and 7): at most one per
-- organisation, as the reference keeps it. The organisation's SSO identifier stays in
-- organizations.identifier. `data` holds the OpenID Connect settings and the member decryption
-- type as a JSON object (sso/sso_config.h), the client secret included: the server needs it in
-- the clear to redeem codes at the provider, and the admin console reads it back.
CREATE TABLE sso_configs(
  organization_id TEXT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  enabled INTEGER NOT NULL,
  data TEXT NOT NULL,
  creation_date INTEGER NOT NULL,
  revision_date INTEGER NOT NULL
);
