-- Re-invitation at most once per user per cool-down (#24). A chunk handed to the service whose
-- answer was lost in a crash is not asked about or sent again: nothing in the model says a
-- re-invitation clears isInviteExpired, or for how long the service remembers an X-Client-Token.
-- Its users are recorded UNCONFIRMED (sent, answer unknown) and count as re-invited for the
-- cool-down, like REINVITED. So does a chunk marked sent in a run that was never resumed.
ALTER TABLE census.reinvitation DROP CONSTRAINT reinvitation_outcome_check;
ALTER TABLE census.reinvitation ADD CONSTRAINT reinvitation_outcome_check
    CHECK (outcome IN ('PENDING', 'REINVITED', 'UNCONFIRMED', 'FAILED', 'SKIPPED_CAP', 'DRY_RUN'));

DROP INDEX census.reinvitation_user;
CREATE INDEX reinvitation_user ON census.reinvitation (user_id)
    WHERE outcome IN ('REINVITED', 'UNCONFIRMED') OR (outcome = 'PENDING' AND sent_at IS NOT NULL);

COMMENT ON VIEW census.reinvitations IS 'Every re-invitation candidate of every run and what became of it: REINVITED; UNCONFIRMED (sent, but the answer was lost in a crash: counted as re-invited, not sent again within the cool-down); FAILED (with field and reason); SKIPPED_CAP; DRY_RUN; PENDING.';
