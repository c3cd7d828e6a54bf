package io.wickrcensus.job;

import io.wickrcensus.job.run.RunSettings;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The job's database migrations ({@code db/migration}), configured in one place for every command
 * that migrates (run, retract): the roles they grant, and one connection for a script and its
 * history row. Flyway's default for PostgreSQL (a transactional lock) uses two connections, and a
 * kill between their commits left a script applied but unrecorded, which every relaunch then
 * failed to apply again (found by the torture suite's SIGKILL).
 */
public final class Migrations {

    private Migrations() {
    }

    /** The migrations of {@code dataSource}, granting to {@code roles}; {@code migrate()} applies what is missing. */
    public static Flyway flyway(DataSource dataSource, RunSettings.Roles roles) {
        return Flyway.configure().configuration(Map.of("flyway.postgresql.transactional.lock", "false"))
                .dataSource(dataSource).locations("classpath:db/migration")
                .placeholders(Map.of("auditor_role", roles.auditor(), "finance_role", roles.finance()))
                .load();
    }
}
