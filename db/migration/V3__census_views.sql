-- Views for auditors and finance: they read these, never the tables.

CREATE VIEW census.runs AS
SELECT r.run_id, r.network_id, r.as_of AS snapshot_date, r.billing_periods, r.status, r.started_at, r.finished_at,
       r.attempts, r.users_staged, r.users_reported, r.unames_resolved, r.unames_failed, r.last_error
FROM census.run r;
COMMENT ON VIEW census.runs IS 'The run ledger: one row per network and snapshot date.';

CREATE VIEW census.published_runs AS
SELECT r.run_id, r.network_id, r.as_of AS snapshot_date, r.publish_seq, r.finished_at
FROM census.run r
WHERE r.status = 'PUBLISHED';

-- The roster of every published run. Filter by network_id and snapshot_date (or run_id).
CREATE VIEW census.roster_by_run AS
SELECT p.network_id, p.snapshot_date, p.run_id,
       v.user_id, v.first_name, v.last_name, v.username, v.security_groups, v.is_admin, v.suspended, v.status,
       v.otp_enabled, v.scim_id, v.type, v.cell, v.country_code, v.challenge_failures, v.is_invite_expired,
       v.is_user, v.code_validation, v.uname
FROM census.published_runs p
JOIN census.user_version v
  ON v.network_id = p.network_id AND v.valid_from <= p.publish_seq AND (v.valid_to IS NULL OR v.valid_to > p.publish_seq);
COMMENT ON VIEW census.roster_by_run IS 'Who was in each network at each published snapshot.';

-- The latest published roster.
CREATE VIEW census.roster_current AS
SELECT v.network_id, r.as_of AS snapshot_date, r.run_id,
       v.user_id, v.first_name, v.last_name, v.username, v.security_groups, v.is_admin, v.suspended, v.status,
       v.otp_enabled, v.scim_id, v.type, v.cell, v.country_code, v.challenge_failures, v.is_invite_expired,
       v.is_user, v.code_validation, v.uname
FROM census.user_version v
JOIN LATERAL (SELECT run_id, as_of FROM census.run
              WHERE network_id = v.network_id AND status = 'PUBLISHED' ORDER BY publish_seq DESC LIMIT 1) r ON true
WHERE v.valid_to IS NULL;
COMMENT ON VIEW census.roster_current IS 'The roster of the latest published snapshot of each network.';

-- Roster as of a date: the latest published snapshot taken on or before that date.
CREATE FUNCTION census.roster_as_of(p_network_id text, p_date date)
RETURNS SETOF census.roster_by_run
LANGUAGE sql STABLE AS $$
    SELECT * FROM census.roster_by_run
    WHERE network_id = p_network_id
      AND run_id = (SELECT run_id FROM census.published_runs
                    WHERE network_id = p_network_id AND snapshot_date <= p_date
                    ORDER BY snapshot_date DESC LIMIT 1)
$$;

-- The kinds of change between an old and a new version of a user (either may be absent).
CREATE FUNCTION census.change_kinds(had_old boolean, has_new boolean, admin_a boolean, admin_b boolean,
                                    susp_a boolean, susp_b boolean, status_a int, status_b int)
RETURNS SETOF text
LANGUAGE sql IMMUTABLE AS $$
    SELECT k FROM (VALUES
        (CASE WHEN NOT had_old AND has_new THEN 'joined' END),
        (CASE WHEN had_old AND NOT has_new THEN 'left' END),
        (CASE WHEN had_old AND has_new AND NOT coalesce(admin_a, false) AND coalesce(admin_b, false) THEN 'admin_granted' END),
        (CASE WHEN had_old AND has_new AND coalesce(admin_a, false) AND NOT coalesce(admin_b, false) THEN 'admin_revoked' END),
        (CASE WHEN had_old AND has_new AND NOT coalesce(susp_a, false) AND coalesce(susp_b, false) THEN 'suspended' END),
        (CASE WHEN had_old AND has_new AND coalesce(susp_a, false) AND NOT coalesce(susp_b, false) THEN 'reinstated' END),
        (CASE WHEN had_old AND has_new AND status_a IS DISTINCT FROM status_b THEN 'status_changed' END)
    ) AS v(k)
    WHERE k IS NOT NULL
$$;

-- What changed between two snapshots of a network (by date: the latest published on or before each).
CREATE FUNCTION census.changes_between(p_network_id text, p_from date, p_to date)
RETURNS TABLE (network_id text, from_date date, to_date date, user_id text, change text, username text)
LANGUAGE sql STABLE AS $$
    WITH a AS (SELECT * FROM census.roster_as_of(p_network_id, p_from)),
         b AS (SELECT * FROM census.roster_as_of(p_network_id, p_to))
    SELECT p_network_id,
           (SELECT max(snapshot_date) FROM a), (SELECT max(snapshot_date) FROM b),
           coalesce(b.user_id, a.user_id), k, coalesce(b.username, a.username)
    FROM a FULL JOIN b ON a.user_id = b.user_id
    CROSS JOIN LATERAL census.change_kinds(a.user_id IS NOT NULL, b.user_id IS NOT NULL, a.is_admin, b.is_admin,
                                           a.suspended, b.suspended, a.status, b.status) AS k
$$;

-- What each published snapshot changed against the one before it (the first: everyone joined).
CREATE VIEW census.user_changes AS
SELECT p.network_id, p.snapshot_date, p.run_id, x.user_id, k AS change, x.username
FROM census.published_runs p
CROSS JOIN LATERAL (
    SELECT coalesce(n.user_id, c.user_id) AS user_id, coalesce(n.username, c.username) AS username,
           c.user_id IS NOT NULL AS had_old, n.user_id IS NOT NULL AS has_new,
           c.is_admin AS admin_a, n.is_admin AS admin_b, c.suspended AS susp_a, n.suspended AS susp_b,
           c.status AS status_a, n.status AS status_b
    FROM (SELECT * FROM census.user_version cv WHERE cv.network_id = p.network_id AND cv.valid_to = p.publish_seq) c
    FULL JOIN (SELECT * FROM census.user_version nv WHERE nv.network_id = p.network_id AND nv.valid_from = p.publish_seq) n
      ON n.user_id = c.user_id
) x
CROSS JOIN LATERAL census.change_kinds(x.had_old, x.has_new, x.admin_a, x.admin_b, x.susp_a, x.susp_b,
                                       x.status_a, x.status_b) AS k;
COMMENT ON VIEW census.user_changes IS 'Per published snapshot, what changed against the previous one.';

-- Guests, for finance.
CREATE VIEW census.guests_by_run AS
SELECT p.network_id, g.billing_period, p.snapshot_date, p.run_id, g.username, g.username_hash
FROM census.published_runs p
JOIN census.guest_version g
  ON g.network_id = p.network_id AND g.valid_from <= p.publish_seq AND (g.valid_to IS NULL OR g.valid_to > p.publish_seq);
COMMENT ON VIEW census.guests_by_run IS 'The guest list of each billing period as of each published snapshot.';

CREATE VIEW census.guest_counts AS
SELECT p.network_id, rp.billing_period, p.snapshot_date, p.run_id,
       (SELECT count(*) FROM census.guest_version g
         WHERE g.network_id = p.network_id AND g.billing_period = rp.billing_period
           AND g.valid_from <= p.publish_seq AND (g.valid_to IS NULL OR g.valid_to > p.publish_seq)) AS guests,
       rp.guests_reported
FROM census.published_runs p
JOIN census.run_period rp ON rp.run_id = p.run_id;
COMMENT ON VIEW census.guest_counts IS 'Distinct guest users per network and billing period, as each published run saw them.';

-- Unames the latest snapshots hold that the directory cannot resolve, with the last reason.
CREATE VIEW census.unresolved_unames AS
WITH held AS (
    SELECT network_id, uname, 'uname' AS field FROM census.user_version WHERE valid_to IS NULL AND uname IS NOT NULL
    UNION
    SELECT network_id, username_hash, 'usernameHash' FROM census.guest_version WHERE valid_to IS NULL
)
SELECT h.network_id, h.uname, h.field, f.reason, f.failed_at AS last_failed_at, f.run_id AS last_run_id
FROM held h
LEFT JOIN census.uname_directory d ON d.network_id = h.network_id AND d.uname = h.uname
LEFT JOIN LATERAL (SELECT lf.reason, lf.failed_at, lf.run_id FROM census.uname_lookup_failure lf
                   JOIN census.run r ON r.run_id = lf.run_id
                   WHERE r.network_id = h.network_id AND lf.uname = h.uname
                   ORDER BY lf.failed_at DESC LIMIT 1) f ON true
WHERE d.uname IS NULL;
COMMENT ON VIEW census.unresolved_unames IS 'Unames in the latest snapshots that no lookup has resolved, with the last failure reason.';

CREATE VIEW census.unames AS
SELECT network_id, uname, username, first_resolved_at, last_resolved_at FROM census.uname_directory;
