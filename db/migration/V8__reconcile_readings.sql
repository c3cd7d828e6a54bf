-- Reconciliation against the real service's count semantics: GetUsersCount may or may not count
-- the bots ListUsers lists (the model does not say), and GetBotsCount counts them apart. Each run
-- records the bots it staged and the service reported, which reading of GetUsersCount matched, and
-- how the comparison ended: matched, warned (a mismatch published under --reconcile=warn) or off.
ALTER TABLE census.run
    ADD COLUMN bots_staged         bigint,
    ADD COLUMN bots_reported       bigint,
    ADD COLUMN users_count_reading text CHECK (users_count_reading IN ('bots-excluded', 'bots-included')),
    ADD COLUMN reconcile_outcome   text CHECK (reconcile_outcome IN ('matched', 'warned', 'off')),
    ADD COLUMN reconcile_detail    text;

CREATE OR REPLACE VIEW census.runs AS
SELECT r.run_id, r.network_id, r.as_of AS snapshot_date, r.billing_periods, r.status, r.started_at, r.finished_at,
       r.attempts, r.users_staged, r.users_reported, r.unames_resolved, r.unames_failed, r.last_error,
       r.bots_staged, r.bots_reported, r.users_count_reading, r.reconcile_outcome, r.reconcile_detail
FROM census.run r;
COMMENT ON COLUMN census.runs.users_count_reading IS
    'Which reading of GetUsersCount matched the users staged: bots-excluded (its total leaves out the bots ListUsers lists) or bots-included; NULL if neither (see reconcile_outcome).';
COMMENT ON COLUMN census.runs.reconcile_outcome IS
    'matched; warned: staged and reported counts differed beyond the tolerance and the run was published under --reconcile=warn (reconcile_detail says how); off: not compared.';
