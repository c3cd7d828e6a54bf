package io.wickrcensus.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.db.DatabaseSettings;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestDatabases;
import io.wickrcensus.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The job runs as a user without CREATEROLE on a database the DBA's one-time script prepared. */
class LeastPrivilegeTest {

    private static String withoutUser(String url) {
        return url.replaceAll("\\?.*", "");
    }

    @Test
    void theJobRunsAsALeastPrivilegeUserOnADatabaseTheDbaScriptPrepared() throws Exception {
        try (JobHarness h = new JobHarness(300, 20)) {
            try (Connection dba = TestDatabases.connect(h.dbUrl)) {
                dba.createStatement().execute(Files.readString(Path.of("db", "setup", "dba-setup.sql")));
                dba.createStatement().execute(Files.readString(Path.of("db", "setup", "dba-setup.sql"))); // idempotent
            }
            DatabaseSettings job = new DatabaseSettings(withoutUser(h.dbUrl), "census_job", "", Path.of("unused"));
            assertThat(h.run(h.builder("2026-11-20").database(job).build(), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);

            assertThat(h.query("SELECT rolcreaterole, rolsuper FROM pg_roles WHERE rolname = 'census_job'").get(0))
                    .containsEntry("rolcreaterole", false).containsEntry("rolsuper", false);
            assertThat(h.query("SELECT nspowner::regrole::text AS owner FROM pg_namespace WHERE nspname = 'census'").get(0))
                    .containsEntry("owner", "census_job");
            assertThat(h.count("SELECT count(*) FROM census.published_runs")).isEqualTo(1);
        }
    }

    @Test
    void withoutTheScriptTheRunStopsWithOneLineNamingIt() throws Exception {
        try (JobHarness h = new JobHarness(50, 5)) {
            try (Connection dba = TestDatabases.connect(h.dbUrl)) {
                dba.createStatement().execute("DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'census_plain') "
                        + "THEN CREATE ROLE census_plain LOGIN; END IF; END$$");
                dba.createStatement().execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            }
            Path log = TestFiles.log("census-least-privilege");
            int code = JobHarness.await(h.launchChild(h.dbUrl, Map.of("CENSUS_DB_URL", withoutUser(h.dbUrl), "CENSUS_DB_USER", "census_plain",
                    "CENSUS_AUDITOR_ROLE", "census_aud_missing", "CENSUS_FINANCE_ROLE", "census_fin_missing"), "2026-11-20", null, log));
            String out = Files.readString(log);
            assertThat(code).as(out).isEqualTo(ExitCodes.BAD_CONFIGURATION);
            assertThat(out).contains("the database user census_plain cannot set up the census schema: the roles census_aud_missing "
                    + "and census_fin_missing do not exist and it may not create roles")
                    .contains("it may not create the census schema").contains("Run db/setup/dba-setup.sql once as a DBA")
                    .doesNotContain("\tat ").doesNotContain("Exception");
            assertThat(h.emulator.stats()).as("no API call").isEmpty();
        }
    }
}
