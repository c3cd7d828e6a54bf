-- A later night reads only the changed users' unames (#27). Each uname of a run's staged users was
-- known (resolved into the directory, or its lookup failed) at or after this time, as the uname
-- step found when it ended. The directory and the failures are never deleted while a run that relies
-- on them is published, and a uname's times only move forward, so a later run whose users step
-- listed its changes against this run's roster knows every unchanged user's uname as long as this
-- time stays within the freshness window: it then reads only the changed users' unames, instead of
-- the whole snapshot against the directory. NULL: not known (the whole snapshot is read).
ALTER TABLE census.run ADD COLUMN unames_known_since timestamptz;
COMMENT ON COLUMN census.run.unames_known_since IS
    'Every uname of the run''s staged users was resolved, or failed, at or after this time; set by the uname step.';
