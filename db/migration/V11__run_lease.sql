-- The lease that makes one launch of a network and date run at a time. It replaces a session
-- advisory lock, which any database session could take (an auditor's session holding the key made
-- the night exit 4): writing this table needs the job's own privileges. A lease names the holding
-- session (backend pid and start); a launch takes it over once that session is gone, so a killed
-- launch never needs a person to clean up.
CREATE TABLE census.run_lease (
    network_id      text        NOT NULL,
    as_of           date        NOT NULL,
    holder_pid      int         NOT NULL,
    holder_started  timestamptz,
    holder_user     text        NOT NULL,
    since           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (network_id, as_of)
);
COMMENT ON TABLE census.run_lease IS 'Which database session runs the launch of a network and date; stale once that session is gone.';
