-- Staged users are read by (run, seq) ranges (the head starts, the uname step, the change list) or
-- whole (reconcile, publish's hash joins), never probed by user: the index on (run_id, user_id)
-- only cost every night's COPY its upkeep, 17% of the COPY's server CPU (1M rows in batches of
-- 5,000: 3.96-4.07 s with it, 3.26-3.63 s without, alternated). A run that staged a user twice
-- sorts its rows by user where it needs each user's last row; a run that staged each user once
-- (census.stage_user_once) needs no sort.
DROP INDEX census.stage_user_run;
