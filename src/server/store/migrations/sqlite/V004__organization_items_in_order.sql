-- A member's organisation items are read on every sync organisation by organisation, each in
-- creation order (then id), together with the member's grants. These indexes hand the rows out in
-- that order, so no database sorts an organisation's items per sync, and still serve every lookup
-- they replace: items by organisation, and memberships by account. The membership index is
-- UNIQUE (as the (organization_id, user_id) constraint already makes it) so that the planner knows
-- one membership per organisation comes out, and keeps each organisation's items in index order
-- instead of sorting them. An item's collections are read from an index that holds them, without
-- a visit to the table, for every item of each organisation the sync walks.
CREATE INDEX ciphers_by_organization_created ON ciphers(organization_id, creation_date, id);
DROP INDEX ciphers_by_organization;
CREATE UNIQUE INDEX organization_users_by_user_organization ON organization_users(user_id, organization_id);
DROP INDEX organization_users_by_user;
CREATE INDEX collection_ciphers_by_cipher_collection ON collection_ciphers(cipher_id, collection_id);
DROP INDEX collection_ciphers_by_cipher;
