package io.wickrcensus.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.testing.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.FileSystemResource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A launch skips Flyway only when the database holds exactly the migrations the build ships;
 * every other state goes to Flyway, with Flyway's own answer.
 */
class MigrationsTest {

    private static final RunSettings.Roles ROLES = RunSettings.Roles.DEFAULT;

    /**
     * After Flyway itself applied every shipped script, the history matches this build's own
     * reading of the scripts (so its checksums are Flyway's, script for script), and each way the
     * history can differ sends the next launch to Flyway.
     */
    @Test
    void flywayIsSkippedOnlyForADatabaseHoldingExactlyTheShippedMigrations() {
        DataSource ds = TestDatabases.dataSource(TestDatabases.newDatabase("migrations"));
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        assertThat(Migrations.applied(ds)).as("no history yet").isFalse();

        Migrations.migrate(ds, ROLES);
        Map<String, Integer> shipped = Migrations.shipped();
        assertThat(shipped).hasSize(Migrations.flyway(ds, ROLES).info().applied().length).hasSizeGreaterThan(20);
        assertThat(Migrations.applied(ds)).as("Flyway's history of every shipped script").isTrue();

        String last = jdbc.queryForObject("SELECT script FROM flyway_schema_history ORDER BY installed_rank DESC LIMIT 1", String.class);
        jdbc.update("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE script = ?", last);
        assertThat(Migrations.applied(ds)).as("a changed script").isFalse();
        assertThatThrownBy(() -> Migrations.migrate(ds, ROLES)).as("Flyway's validation, as without the shortcut")
                .isInstanceOf(FlywayValidateException.class);
        jdbc.update("UPDATE flyway_schema_history SET checksum = checksum - 1 WHERE script = ?", last);
        assertThat(Migrations.applied(ds)).isTrue();

        jdbc.update("UPDATE flyway_schema_history SET success = false WHERE script = ?", last);
        assertThat(Migrations.applied(ds)).as("a failed script").isFalse();
        jdbc.update("UPDATE flyway_schema_history SET success = true WHERE script = ?", last);

        jdbc.update("UPDATE flyway_schema_history SET checksum = NULL WHERE script = ?", last);
        assertThat(Migrations.applied(ds)).as("a script without a checksum").isFalse();
        jdbc.update("UPDATE flyway_schema_history SET checksum = ? WHERE script = ?", shipped.get(last), last);

        jdbc.update("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, "
                + "execution_time, success) VALUES (1000, '999', 'newer', 'SQL', 'V999__newer.sql', 1, 'test', 0, true)");
        assertThat(Migrations.applied(ds)).as("a migration this build does not ship").isFalse();
        jdbc.update("DELETE FROM flyway_schema_history WHERE installed_rank = 1000");
        assertThat(Migrations.applied(ds)).isTrue();

        jdbc.update("DELETE FROM flyway_schema_history WHERE script = ?", last);
        assertThat(Migrations.applied(ds)).as("a pending migration").isFalse();

        jdbc.execute("ALTER TABLE flyway_schema_history RENAME TO flyway_history_elsewhere");
        assertThat(Migrations.applied(ds)).as("no history in the current schema").isFalse();
    }

    /** The checksum is Flyway's also for what the shipped scripts do not have: a byte order mark, CRLF and CR line ends, no final newline. */
    @Test
    void theChecksumIsFlywaysForAnyLineEndsAndAByteOrderMark(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("V1__bom_crlf.sql"), "\uFEFF-- é\r\nCREATE TABLE a (x int);\r\n\r\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("V2__cr_no_final_newline.sql"), "CREATE TABLE b (x int);\r-- ü", StandardCharsets.UTF_8);
        DataSource ds = TestDatabases.dataSource(TestDatabases.newDatabase("checksums"));
        Flyway.configure().dataSource(ds).locations("filesystem:" + dir).load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        for (String script : new String[] {"V1__bom_crlf.sql", "V2__cr_no_final_newline.sql"}) {
            Integer flyways = jdbc.queryForObject("SELECT checksum FROM flyway_schema_history WHERE script = ?", Integer.class, script);
            assertThat(Migrations.checksum(new FileSystemResource(dir.resolve(script)))).as(script).isEqualTo(flyways);
        }
    }
}
