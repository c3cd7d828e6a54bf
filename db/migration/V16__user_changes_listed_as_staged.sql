-- Publish touches only what changed (#14). The users step compares each batch it stages with the
-- network's current versions, in the batch's own transaction, and lists here the staged rows that
-- differ from their user's current version or have none; publish then versions only the users
-- listed (and closes those no longer staged) instead of comparing the whole roster again.
CREATE TABLE census.stage_user_change (
    run_id   bigint NOT NULL,
    seq      bigint NOT NULL,
    user_id  text   NOT NULL
);
CREATE INDEX stage_user_change_run ON census.stage_user_change (run_id);
COMMENT ON TABLE census.stage_user_change IS 'Staged user rows that differed from the current history when staged; cleared with staging.';

-- Which history a run's list was made against: the network's latest published and latest retracted
-- publish sequence numbers as its users step began. Every publish and every retraction moves one of
-- the two for good, so publish trusts the list only while both still hold, and otherwise compares the
-- whole staged roster. A run with no row here (the network had no published snapshot) has no list.
CREATE TABLE census.stage_user_baseline (
    run_id         bigint PRIMARY KEY,
    published_seq  bigint NOT NULL,
    retracted_seq  bigint
);
COMMENT ON TABLE census.stage_user_baseline IS 'The history a run''s stage_user_change list was made against; cleared with staging.';
