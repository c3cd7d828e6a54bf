-- Read-only roles: auditors read the audit views, finance reads the guest-billing views only.
-- Role names come from the Flyway placeholders auditor_role and finance_role. Grant them to
-- login roles with: GRANT census_auditor TO alice;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${auditor_role}') THEN
        CREATE ROLE "${auditor_role}" NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${finance_role}') THEN
        CREATE ROLE "${finance_role}" NOLOGIN;
    END IF;
END
$$;

REVOKE ALL ON SCHEMA census FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA census FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA census FROM PUBLIC;

GRANT USAGE ON SCHEMA census TO "${auditor_role}", "${finance_role}";

GRANT SELECT ON census.runs, census.published_runs, census.roster_by_run, census.roster_current, census.user_changes,
                census.unresolved_unames, census.unames, census.guests_by_run, census.guest_counts
    TO "${auditor_role}";
GRANT EXECUTE ON FUNCTION census.roster_as_of(text, date), census.changes_between(text, date, date),
    census.change_kinds(boolean, boolean, boolean, boolean, boolean, boolean, int, int) TO "${auditor_role}";

GRANT SELECT ON census.guests_by_run, census.guest_counts TO "${finance_role}";
