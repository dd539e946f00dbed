-- MariaDB's first schema is version 2, which SQLite and PostgreSQL reach in two steps, so
-- there is no MariaDB database at version 1. DDL commits by itself here: each statement must
-- be safe to run again after a crash half-way (IF NOT EXISTS). One statement per ';' that
-- ends a line.
CREATE TABLE IF NOT EXISTS user_keys(  id VARBINARY(255) NOT NULL PRIMARY KEY,  sealed BLOB NOT NULL,  data_key_version INT UNSIGNED NOT NULL,  creation_date BIGINT NOT NULL,  revision_date BIGINT NULL,  last_access_date BIGINT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS data_keys(  version INT UNSIGNED NOT NULL PRIMARY KEY,  creation_date BIGINT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS data_key_wrappings(  version INT UNSIGNED NOT NULL,  provider_fingerprint VARBINARY(255) NOT NULL,  wrapped BLOB NOT NULL,  creation_date BIGINT NOT NULL,  PRIMARY KEY(version, provider_fingerprint),  CONSTRAINT data_key_wrappings_version FOREIGN KEY(version) REFERENCES data_keys(version)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
