-- Reconcile on the real service (#24). The service's counts are read twice: as the users step
-- starts paging and after it (step 4). A network that changes while it is paged is judged against
-- both readings: a staged figure between the two, give or take the tolerance, reconciles.
--
-- And ListUsers may not list bots at all (the model has a ListBots of its own and documents isUser
-- as "as opposed to a bot"). Two more readings of the counts say so: bots-unlisted (no bot listed,
-- GetUsersCount leaves them out) and bots-unlisted-counted (no bot listed, GetUsersCount counts
-- them in, so the users listed plus GetBotsCount's make its figures).
ALTER TABLE census.run
    ADD COLUMN users_pending_before  bigint,
    ADD COLUMN users_active_before   bigint,
    ADD COLUMN users_reported_before bigint,
    ADD COLUMN bots_pending_before   bigint,
    ADD COLUMN bots_active_before    bigint,
    ADD COLUMN bots_reported_before  bigint;

ALTER TABLE census.run DROP CONSTRAINT run_users_count_reading_check;
ALTER TABLE census.run ADD CONSTRAINT run_users_count_reading_check
    CHECK (users_count_reading IN ('bots-excluded', 'bots-included', 'bots-unlisted', 'bots-unlisted-counted'));

CREATE OR REPLACE VIEW census.runs AS
SELECT r.run_id, r.network_id, r.as_of AS snapshot_date, r.billing_periods, r.status, r.started_at, r.finished_at,
       r.attempts, r.users_staged, r.users_reported, r.unames_resolved, r.unames_failed, r.last_error,
       r.bots_staged, r.bots_reported, r.users_count_reading, r.reconcile_outcome, r.reconcile_detail,
       r.retracted_at, r.retracted_by, r.retraction_reason,
       r.users_reported_before, r.bots_reported_before
FROM census.run r;
COMMENT ON COLUMN census.runs.users_count_reading IS
    'Which reading of the service''s counts matched what was staged: bots-excluded (ListUsers lists the bots, GetUsersCount leaves them out), bots-included (it counts them in), bots-unlisted (ListUsers lists no bot, GetUsersCount leaves them out) or bots-unlisted-counted (no bot listed, GetUsersCount counts them in); NULL if none (see reconcile_outcome).';
COMMENT ON COLUMN census.runs.users_reported IS 'GetUsersCount''s total, read after the users were paged.';
COMMENT ON COLUMN census.runs.users_reported_before IS 'GetUsersCount''s total, read as paging began; a staged figure between the two readings, give or take the tolerance, reconciles.';
COMMENT ON COLUMN census.runs.bots_reported_before IS 'GetBotsCount''s total, read as paging began.';
