package io.wickrcensus.job;

import io.wickrcensus.db.DatabaseSettings;
import io.wickrcensus.job.launch.Retraction;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.parquet.ParquetExporter;
import io.wickrcensus.parquet.ParquetSettings;
import java.time.LocalDate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code retract}: opens the job's database (migrating it, as a run would), and retracts the
 * latest published snapshot of a network. No API call and no Spring context: it works on what
 * PostgreSQL and the Parquet datasets hold.
 */
public final class CensusRetract {

    private static final Logger log = LoggerFactory.getLogger(CensusRetract.class);

    private CensusRetract() {
    }

    public static int execute(DatabaseSettings database, RunSettings.Roles roles, ParquetSettings parquet, String networkId,
                              LocalDate asOf, String reason, String by) {
        return execute(database, roles, parquet, io.wickrcensus.iceberg.IcebergSettings.OFF, networkId, asOf, reason, by, AfterRetract.NONE);
    }

    /** The same; once the snapshot is retracted (or found retracted), {@code after} runs with the database open. */
    public static int execute(DatabaseSettings database, RunSettings.Roles roles, ParquetSettings parquet, String networkId,
                              LocalDate asOf, String reason, String by, AfterRetract after) {
        return execute(database, roles, parquet, io.wickrcensus.iceberg.IcebergSettings.OFF, networkId, asOf, reason, by, after);
    }

    /** The same, retracting the night from the Iceberg tables too where it was committed there and {@code iceberg} is on. */
    public static int execute(DatabaseSettings database, RunSettings.Roles roles, ParquetSettings parquet,
                              io.wickrcensus.iceberg.IcebergSettings iceberg, String networkId, LocalDate asOf, String reason, String by,
                              AfterRetract after) {
        if (parquet.enabled()) {
            String problem = parquet.problem();
            if (problem != null) {
                log.error("--output-dir {} cannot be changed: {}; nothing was done", parquet.location(), problem);
                return ExitCodes.BAD_CONFIGURATION;
            }
        }
        return CensusRun.withDatabase(database, db -> {
            String denied = CensusRun.preflight(db, roles);
            if (denied != null) {
                log.error("{}; nothing was done", denied);
                return ExitCodes.BAD_CONFIGURATION;
            }
            try {
                Migrations.migrate(db.dataSource(), roles);
                int code = new Retraction(db.dataSource(), parquet, new ParquetExporter(db.dataSource(), parquet), iceberg.enabled(),
                        () -> io.wickrcensus.iceberg.Lake.open(iceberg, parquet, db)).retract(networkId, asOf, reason, by);
                if (code == ExitCodes.OK || code == ExitCodes.ALREADY_COMPLETE) {
                    var run = new io.wickrcensus.job.run.RunLedger(new org.springframework.jdbc.core.JdbcTemplate(db.dataSource()))
                            .find(networkId, asOf).orElseThrow();
                    after.retracted(db.dataSource(), networkId, asOf, run.billingPeriods());
                }
                return code;
            } catch (Exception e) {
                log.error("network {} {}: the retraction failed: {}; run the same command again to finish it", networkId, asOf,
                        e.getMessage(), e);
                return ExitCodes.FAILED;
            }
        });
    }
}
