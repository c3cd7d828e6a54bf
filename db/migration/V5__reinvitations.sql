-- Re-invitations of pending users whose invitation expired: intent recorded before the call,
-- outcome after it, so a relaunch knows what was sent (and replays a chunk with its same client
-- token, which the service answers idempotently).

CREATE TABLE census.reinvitation (
    run_id        bigint      NOT NULL REFERENCES census.run ON DELETE CASCADE,
    user_id       text        NOT NULL,
    chunk_no      int         NOT NULL,
    client_token  text,
    outcome       text        NOT NULL CHECK (outcome IN ('PENDING', 'REINVITED', 'FAILED', 'SKIPPED_CAP', 'DRY_RUN')),
    field         text,
    reason        text,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    completed_at  timestamptz,
    PRIMARY KEY (run_id, user_id)
);
CREATE INDEX reinvitation_pending ON census.reinvitation (run_id, chunk_no) WHERE outcome = 'PENDING';
CREATE INDEX reinvitation_user ON census.reinvitation (user_id) WHERE outcome = 'REINVITED';

CREATE VIEW census.reinvitations AS
SELECT r.network_id, r.as_of AS snapshot_date, x.user_id, x.outcome, x.field, x.reason, x.recorded_at, x.completed_at
FROM census.reinvitation x JOIN census.run r USING (run_id);
COMMENT ON VIEW census.reinvitations IS 'Every re-invitation candidate of every run and what became of it.';

GRANT SELECT ON census.reinvitations TO "${auditor_role}";
