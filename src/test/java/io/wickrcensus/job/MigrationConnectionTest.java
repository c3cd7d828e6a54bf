package io.wickrcensus.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.db.DatabaseLocation;
import io.wickrcensus.job.run.RunMetrics;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestDatabases;
import org.flywaydb.core.Flyway;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;

/**
 * A migration's script and its row in Flyway's history commit together: on one connection, not
 * the two that Flyway's default for PostgreSQL (a transactional lock) uses. With two, a kill
 * between the commits left a script applied but unrecorded, and every relaunch failed on
 * "column sent_at of relation reinvitation already exists" (the torture suite's SIGKILL).
 */
class MigrationConnectionTest {

    static boolean transactionalLock(Flyway flyway) {
        return flyway.getConfiguration().getPluginRegister().getExact(PostgreSQLConfigurationExtension.class).isTransactionalLock();
    }

    /** Every command that migrates (run, retract) goes through {@link Migrations}: one connection for a script and its history row. */
    @Test
    void theMigrationsUseOneConnection() {
        assertThat(transactionalLock(Migrations.flyway(null, RunSettings.Roles.DEFAULT))).isFalse();
        assertThat(transactionalLock(Flyway.configure().load())).as("Flyway's own default, which the job must not keep").isTrue();
    }

    /** The run's context has no Flyway of its own, configured some other way: the database is migrated before it starts. */
    @Test
    void theRunMigratesBeforeItsContextStartsAndHasNoFlywayOfItsOwn() throws Exception {
        String url = TestDatabases.newDatabase("migration_connection");
        try (JobHarness h = new JobHarness(10, 1, url);
             DatabaseLocation db = DatabaseLocation.resolve(JobHarness.database(url));
             ConfigurableApplicationContext ctx = CensusRun.context(h.settings("2026-11-20"), AnonymousCredentialsProvider.create(), db,
                     new RunMetrics())) {
            assertThat(ctx.getBeanNamesForType(Flyway.class)).isEmpty();
            assertThat(h.count("SELECT count(*) FROM flyway_schema_history WHERE success")).isPositive();
            assertThat(h.count("SELECT count(*) FROM census.run")).isZero();
        }
    }
}
