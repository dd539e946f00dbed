-- The first schema, as SQLite's step 1. Ids and fingerprints use the "C" collation: byte
-- order, as the KeyStore interface pages and sorts by.
CREATE TABLE user_keys(  id text COLLATE "C" PRIMARY KEY,  sealed bytea NOT NULL,  data_key_version bigint NOT NULL,  creation_date bigint NOT NULL,  revision_date bigint,  last_access_date bigint);CREATE TABLE data_keys(  version bigint PRIMARY KEY,  wrapped bytea NOT NULL,  provider_fingerprint text NOT NULL,  creation_date bigint NOT NULL);
