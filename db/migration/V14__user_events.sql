-- Audit events: every change a published snapshot observed against the published snapshot before
-- it, with the value before and after. A change made and undone between two dates is two events,
-- where changes_between (a net difference of two rosters) shows none.

CREATE FUNCTION census.user_status_name(p_status int)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_status WHEN 1 THEN 'pending' WHEN 2 THEN 'active' ELSE p_status::text END
$$;

CREATE FUNCTION census.group_list(p_groups text[])
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce((SELECT string_agg(g, ', ' ORDER BY g) FROM unnest(p_groups) AS g), '')
$$;

-- One row per event and published snapshot. The first snapshot of a network observes every user
-- joining. Kinds: joined, left, admin_granted, admin_revoked, suspended, reinstated,
-- status_changed, groups_changed, username_changed, otp_enabled, otp_disabled, invite_expired.
CREATE VIEW census.user_events_by_run AS
SELECT p.network_id, p.snapshot_date, p.run_id, x.user_id, x.username, e.kind, e.before, e.after
FROM census.published_runs p
CROSS JOIN LATERAL (
    SELECT coalesce(n.user_id, c.user_id) AS user_id, coalesce(n.username, c.username) AS username,
           c.user_id IS NOT NULL AS had_old, n.user_id IS NOT NULL AS has_new,
           c.username AS username_a, n.username AS username_b,
           coalesce(c.is_admin, false) AS admin_a, coalesce(n.is_admin, false) AS admin_b,
           coalesce(c.suspended, false) AS susp_a, coalesce(n.suspended, false) AS susp_b,
           c.status AS status_a, n.status AS status_b,
           census.group_list(c.security_groups) AS groups_a, census.group_list(n.security_groups) AS groups_b,
           coalesce(c.otp_enabled, false) AS otp_a, coalesce(n.otp_enabled, false) AS otp_b,
           coalesce(c.is_invite_expired, false) AS expired_a, coalesce(n.is_invite_expired, false) AS expired_b
    FROM (SELECT * FROM census.user_version cv WHERE cv.network_id = p.network_id AND cv.valid_to = p.publish_seq) c
    FULL JOIN (SELECT * FROM census.user_version nv WHERE nv.network_id = p.network_id AND nv.valid_from = p.publish_seq) n
      ON n.user_id = c.user_id
) x
CROSS JOIN LATERAL (VALUES
    (NOT x.had_old AND x.has_new, 'joined', NULL, census.user_status_name(x.status_b)),
    (x.had_old AND NOT x.has_new, 'left', census.user_status_name(x.status_a), NULL),
    (x.had_old AND x.has_new AND NOT x.admin_a AND x.admin_b, 'admin_granted', 'false', 'true'),
    (x.had_old AND x.has_new AND x.admin_a AND NOT x.admin_b, 'admin_revoked', 'true', 'false'),
    (x.had_old AND x.has_new AND NOT x.susp_a AND x.susp_b, 'suspended', 'false', 'true'),
    (x.had_old AND x.has_new AND x.susp_a AND NOT x.susp_b, 'reinstated', 'true', 'false'),
    (x.had_old AND x.has_new AND x.status_a IS DISTINCT FROM x.status_b, 'status_changed',
        census.user_status_name(x.status_a), census.user_status_name(x.status_b)),
    (x.had_old AND x.has_new AND x.groups_a <> x.groups_b, 'groups_changed', x.groups_a, x.groups_b),
    (x.had_old AND x.has_new AND x.username_a IS DISTINCT FROM x.username_b, 'username_changed', x.username_a, x.username_b),
    (x.had_old AND x.has_new AND NOT x.otp_a AND x.otp_b, 'otp_enabled', 'false', 'true'),
    (x.had_old AND x.has_new AND x.otp_a AND NOT x.otp_b, 'otp_disabled', 'true', 'false'),
    (x.had_old AND x.has_new AND NOT x.expired_a AND x.expired_b, 'invite_expired', 'false', 'true')
) AS e(happened, kind, before, after)
WHERE e.happened;
COMMENT ON VIEW census.user_events_by_run IS 'Per published snapshot, every change it observed against the one before, with before and after.';

-- The events observed by the published snapshots of a network dated after p_from (NULL: from the
-- first snapshot) and on or before p_to.
CREATE FUNCTION census.user_events(p_network_id text, p_from date, p_to date)
RETURNS TABLE (snapshot_date date, run_id bigint, user_id text, username text, kind text, before text, after text)
LANGUAGE sql STABLE AS $$
    SELECT e.snapshot_date, e.run_id, e.user_id, e.username, e.kind, e.before, e.after
    FROM census.user_events_by_run e
    WHERE e.network_id = p_network_id AND (p_from IS NULL OR e.snapshot_date > p_from) AND e.snapshot_date <= p_to
    ORDER BY e.snapshot_date, e.user_id COLLATE "C", e.kind
$$;

-- Uname lookups that failed, per run, for the audit of a past date.
CREATE VIEW census.uname_lookup_failures AS
SELECT r.network_id, r.as_of AS snapshot_date, f.run_id, f.uname, f.field, f.reason, f.failed_at
FROM census.uname_lookup_failure f JOIN census.run r USING (run_id);
COMMENT ON VIEW census.uname_lookup_failures IS 'Every failed uname lookup, with the run and its snapshot date.';

REVOKE ALL ON FUNCTION census.user_events(text, date, date), census.user_status_name(int), census.group_list(text[]) FROM PUBLIC;
GRANT SELECT ON census.user_events_by_run, census.uname_lookup_failures TO "${auditor_role}";
GRANT EXECUTE ON FUNCTION census.user_events(text, date, date), census.user_status_name(int), census.group_list(text[])
    TO "${auditor_role}";
