-- One-time setup of a PostgreSQL database for wickr-census, by a DBA (a superuser or a role with
-- CREATEROLE), so that the job itself runs as a least-privilege user: no superuser, no CREATEROLE.
--
--   psql -v ON_ERROR_STOP=1 -d census -f db/setup/dba-setup.sql
--   psql -d census -c "ALTER ROLE census_job PASSWORD '...'"      -- then give it to the job (CENSUS_DB_PASSWORD)
--
-- Run it connected to the job's database. It is idempotent. With other role names (the job's
-- CENSUS_AUDITOR_ROLE / CENSUS_FINANCE_ROLE), edit them here first.
--
-- What the job needs, and why:
--   - LOGIN, and CONNECT on the database;
--   - CREATE on the database: its Flyway migrations create and own the census schema;
--   - CREATE and USAGE on schema public: Spring Batch's job repository tables and Flyway's history table;
--   - the roles census_auditor and census_finance to exist: the migrations grant them read access
--     to the views (the job owns those objects, so it may grant on them; it never creates roles
--     itself unless it has CREATEROLE).
-- People get the read-only roles with: GRANT census_auditor TO alice;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'census_job') THEN
        CREATE ROLE census_job LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'census_auditor') THEN
        CREATE ROLE census_auditor NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'census_finance') THEN
        CREATE ROLE census_finance NOLOGIN;
    END IF;
    EXECUTE format('GRANT CONNECT, CREATE ON DATABASE %I TO census_job', current_database());
END
$$;

GRANT USAGE, CREATE ON SCHEMA public TO census_job;
