-- Publish clears a run's staged users (#27). Deleting a night's roster row by row cost 1.3 s of a
-- 1M-user publish, WAL for every row and a vacuum later; when no other run has staged users, the
-- table is truncated instead. The table's lock is only tried (NOWAIT), when no other run's rows are
-- there, as the publish transaction's last step: a run of another network staging at that moment
-- keeps its rows and at most waits for the commit; where the lock is not free, or another run's rows
-- are there, the run's rows are deleted as before. Returns whether the table was truncated.
CREATE FUNCTION census.clear_staged_users(p_run bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    -- (run_id, seq) index range scans: no pass over the run's own rows
    IF EXISTS (SELECT 1 FROM census.stage_user WHERE run_id < p_run) OR EXISTS (SELECT 1 FROM census.stage_user WHERE run_id > p_run) THEN
        DELETE FROM census.stage_user WHERE run_id = p_run;
        RETURN false;
    END IF;
    BEGIN
        LOCK TABLE census.stage_user IN ACCESS EXCLUSIVE MODE NOWAIT;
    EXCEPTION WHEN lock_not_available THEN
        DELETE FROM census.stage_user WHERE run_id = p_run;
        RETURN false;
    END;
    -- under the lock no other run can be writing: what it committed is seen now
    IF EXISTS (SELECT 1 FROM census.stage_user WHERE run_id < p_run) OR EXISTS (SELECT 1 FROM census.stage_user WHERE run_id > p_run) THEN
        DELETE FROM census.stage_user WHERE run_id = p_run;
        RETURN false;
    END IF;
    TRUNCATE census.stage_user;
    RETURN true;
END $$;
