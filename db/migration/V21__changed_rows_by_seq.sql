-- The head start of uname lookups on a later snapshot reads only the staged users listed as
-- changed, range by range of staging seq: their list is read by (run, seq), in proportion to what
-- changed, not by probing every staged row.
CREATE INDEX stage_user_change_seq ON census.stage_user_change (run_id, seq);
DROP INDEX census.stage_user_change_run;
