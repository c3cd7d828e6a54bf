-- The census schema: the run ledger, staging, versioned history, the uname directory.
-- Storage grows with change, not with nights x users: a user or guest row is written when it
-- first appears or changes (valid_from) and closed when it changes or leaves (valid_to), both
-- being publish sequence numbers of runs. The roster as of any published run is then
--   valid_from <= run.publish_seq AND (valid_to IS NULL OR valid_to > run.publish_seq).
-- The invitation code the API returns for pending users is a credential: no column holds it.

CREATE SCHEMA IF NOT EXISTS census;

CREATE SEQUENCE census.publish_seq;

CREATE TABLE census.run (
    run_id              bigserial PRIMARY KEY,
    network_id          text        NOT NULL,
    as_of               date        NOT NULL,
    billing_periods     text[]      NOT NULL,
    status              text        NOT NULL DEFAULT 'STARTED' CHECK (status IN ('STARTED', 'FAILED', 'PUBLISHED')),
    started_at          timestamptz NOT NULL DEFAULT now(),
    finished_at         timestamptz,
    publish_seq         bigint UNIQUE,
    job_execution_id    bigint,
    attempts            int         NOT NULL DEFAULT 1,
    users_staged        bigint,
    users_reported      bigint,
    unames_resolved     bigint,
    unames_failed       bigint,
    last_error          text,
    UNIQUE (network_id, as_of)
);
COMMENT ON TABLE census.run IS 'One row per network and as-of date: the run ledger.';

CREATE TABLE census.run_period (
    run_id          bigint NOT NULL REFERENCES census.run ON DELETE CASCADE,
    billing_period  text   NOT NULL CHECK (billing_period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    guests_staged   bigint,
    guests_reported bigint,
    PRIMARY KEY (run_id, billing_period)
);
COMMENT ON TABLE census.run_period IS 'Per run and billing period: guests staged and the count the service reported.';

-- Staging: what a run paged through, cleared when the step starts again and when the run is published.
CREATE TABLE census.stage_user (
    run_id             bigint  NOT NULL,
    seq                bigint  NOT NULL,
    user_id            text    NOT NULL,
    first_name         text,
    last_name          text,
    username           text,
    security_groups    text[],
    is_admin           boolean,
    suspended          boolean,
    status             int,
    otp_enabled        boolean,
    scim_id            text,
    type               text,
    cell               text,
    country_code       text,
    challenge_failures int,
    is_invite_expired  boolean,
    is_user            boolean,
    code_validation    boolean,
    uname              text
);
CREATE INDEX stage_user_run ON census.stage_user (run_id, user_id);

CREATE TABLE census.stage_guest (
    run_id          bigint NOT NULL,
    seq             bigint NOT NULL,
    billing_period  text   NOT NULL,
    username        text,
    username_hash   text   NOT NULL
);
CREATE INDEX stage_guest_run ON census.stage_guest (run_id, billing_period, username_hash);

-- History.
CREATE TABLE census.user_version (
    network_id         text    NOT NULL,
    user_id            text    NOT NULL,
    valid_from         bigint  NOT NULL,
    valid_to           bigint,
    first_name         text,
    last_name          text,
    username           text,
    security_groups    text[],
    is_admin           boolean,
    suspended          boolean,
    status             int,
    otp_enabled        boolean,
    scim_id            text,
    type               text,
    cell               text,
    country_code       text,
    challenge_failures int,
    is_invite_expired  boolean,
    is_user            boolean,
    code_validation    boolean,
    uname              text,
    PRIMARY KEY (network_id, user_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX user_version_current ON census.user_version (network_id, user_id) WHERE valid_to IS NULL;
CREATE INDEX user_version_closed ON census.user_version (network_id, valid_to) WHERE valid_to IS NOT NULL;
CREATE INDEX user_version_opened ON census.user_version (network_id, valid_from);
COMMENT ON TABLE census.user_version IS 'Every version of every user: valid from one publish to the publish that changed or removed it.';

CREATE TABLE census.guest_version (
    network_id      text   NOT NULL,
    billing_period  text   NOT NULL,
    username_hash   text   NOT NULL,
    username        text,
    valid_from      bigint NOT NULL,
    valid_to        bigint,
    PRIMARY KEY (network_id, billing_period, username_hash, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX guest_version_current ON census.guest_version (network_id, billing_period, username_hash) WHERE valid_to IS NULL;
COMMENT ON TABLE census.guest_version IS 'Guest users per billing period, valid from the publish that first saw them to the one that no longer did.';

-- Unames.
CREATE TABLE census.uname_directory (
    network_id         text        NOT NULL,
    uname              text        NOT NULL,
    username           text        NOT NULL,
    first_resolved_at  timestamptz NOT NULL,
    last_resolved_at   timestamptz NOT NULL,
    last_run_id        bigint,
    PRIMARY KEY (network_id, uname)
);
COMMENT ON TABLE census.uname_directory IS 'Every uname ever resolved, kept after the user leaves so history stays readable.';

CREATE TABLE census.uname_lookup_failure (
    run_id     bigint      NOT NULL REFERENCES census.run ON DELETE CASCADE,
    uname      text        NOT NULL,
    field      text,
    reason     text,
    failed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, uname)
);
