-- A member's organisation items are read on every sync organisation by organisation, each in
-- creation order (then id), together with the member's grants. These indexes hand the rows out in
-- that order, so no database sorts an organisation's items per sync, and still serve every lookup
-- they replace: items by organisation, and memberships by account. The membership index is
-- UNIQUE (as the (organization_id, user_id) constraint already makes it) so that the planner knows
-- one membership per organisation comes out, and keeps each organisation's items in index order
-- instead of sorting them.
CREATE INDEX ciphers_by_organization_created ON ciphers(organization_id, creation_date, id);
DROP INDEX ciphers_by_organization;
CREATE UNIQUE INDEX organization_users_by_user_organization ON organization_users(user_id, organization_id);
DROP INDEX organization_users_by_user;
