-- When a re-invitation chunk was handed to the service, committed before the call. A relaunch that
-- finds a chunk sent but without an outcome (a crash in between) does not trust the service to
-- replay the call's X-Client-Token (the model documents no replay): it asks ListUsers which of
-- those users' invitations are no longer expired, records them as re-invited, and re-sends the rest.
ALTER TABLE census.reinvitation ADD COLUMN sent_at timestamptz;
