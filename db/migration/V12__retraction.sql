-- Retracting the latest published snapshot of a network (a typo'd --as-of, a snapshot known to be
-- wrong): its history versions are undone, and the run stays in the ledger as RETRACTED with when,
-- why and by whom, for auditors. A retracted run is no longer published: every view leaves it out.
ALTER TABLE census.run DROP CONSTRAINT run_status_check;
ALTER TABLE census.run ADD CONSTRAINT run_status_check CHECK (status IN ('STARTED', 'FAILED', 'PUBLISHED', 'RETRACTED'));
ALTER TABLE census.run
    ADD COLUMN retracted_at             timestamptz,
    ADD COLUMN retracted_by             text,
    ADD COLUMN retraction_reason        text,
    -- when the run's Parquet partitions were removed (and the period and run datasets rewritten)
    ADD COLUMN retraction_parquet_at    timestamptz;

CREATE OR REPLACE VIEW census.runs AS
SELECT r.run_id, r.network_id, r.as_of AS snapshot_date, r.billing_periods, r.status, r.started_at, r.finished_at,
       r.attempts, r.users_staged, r.users_reported, r.unames_resolved, r.unames_failed, r.last_error,
       r.bots_staged, r.bots_reported, r.users_count_reading, r.reconcile_outcome, r.reconcile_detail,
       r.retracted_at, r.retracted_by, r.retraction_reason
FROM census.run r;
COMMENT ON COLUMN census.runs.retracted_at IS 'When the snapshot was retracted (wickr-census retract); status is then RETRACTED.';

-- Retracted snapshots, for the reports: finance sees when a period's deciding run was retracted.
CREATE VIEW census.retracted_runs AS
SELECT r.run_id, r.network_id, r.as_of AS snapshot_date, r.billing_periods, r.retracted_at, r.retraction_reason
FROM census.run r
WHERE r.status = 'RETRACTED';
COMMENT ON VIEW census.retracted_runs IS 'Snapshots that were published and then retracted (wickr-census retract), with when and why.';
GRANT SELECT ON census.retracted_runs TO "${auditor_role}", "${finance_role}";
