package io.wickrcensus.job.launch;

import io.wickrcensus.faults.CrashPoints;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.job.run.RunLedger;
import io.wickrcensus.job.run.RunStatus;
import io.wickrcensus.parquet.ParquetExporter;
import io.wickrcensus.parquet.ParquetSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Undoes the latest published snapshot of a network ({@code wickr-census retract}): in one
 * transaction, its history versions are undone (versions it opened are deleted, versions it
 * closed are open again, so the history is exactly as before that run) and the run is marked
 * RETRACTED with when, why and by whom; then its Parquet partitions are removed and the datasets
 * that listed it rewritten, and that is recorded too. Killed at any moment, running it again
 * finishes it. Only the latest published snapshot can be retracted: an earlier one would leave the
 * later versions built on it.
 */
public final class Retraction {

    private static final Logger log = LoggerFactory.getLogger(Retraction.class);

    private final DataSource dataSource;
    private final ParquetSettings parquet;
    private final ParquetExporter exporter;
    private final boolean iceberg;
    private final java.util.function.Supplier<io.wickrcensus.iceberg.Lake> lake;

    /** Retractions in {@code dataSource}, whose Parquet datasets ({@code parquet}) {@code exporter} rewrites. */
    public Retraction(DataSource dataSource, ParquetSettings parquet, ParquetExporter exporter) {
        this(dataSource, parquet, exporter, false, null);
    }

    /** The same; with {@code iceberg}, a night committed to the Iceberg tables is retracted there too, through {@code lake}. */
    public Retraction(DataSource dataSource, ParquetSettings parquet, ParquetExporter exporter, boolean iceberg,
                      java.util.function.Supplier<io.wickrcensus.iceberg.Lake> lake) {
        this.dataSource = dataSource;
        this.parquet = parquet;
        this.exporter = exporter;
        this.iceberg = iceberg;
        this.lake = lake;
    }

    /** Retracts the snapshot of {@code networkId} as of {@code asOf}; returns the exit code. */
    public int retract(String networkId, LocalDate asOf, String reason, String by) throws SQLException, java.io.IOException {
        String what = "network " + networkId + " " + asOf;
        RunLock.Attempt lock = RunLock.tryAcquire(dataSource, networkId, asOf);
        if (lock.lock() == null) {
            log.error("{}: a launch for this network and date is running ({}); retract it when that has ended", what,
                    lock.holder() == null ? "it just ended" : lock.holder());
            return ExitCodes.CONCURRENT_LAUNCH;
        }
        try (RunLock held = lock.lock()) {
            RunLedger ledger = new RunLedger(new JdbcTemplate(dataSource));
            Optional<RunLedger.Run> found = ledger.find(networkId, asOf);
            if (found.isEmpty()) {
                log.error("{}: there is no snapshot of this network as of this date to retract", what);
                return ExitCodes.BAD_CONFIGURATION;
            }
            RunLedger.Run run = found.get();
            if (run.status() == RunStatus.PUBLISHED) {
                Optional<LocalDate> latest = ledger.latestPublished(networkId);
                if (latest.isPresent() && !latest.get().equals(asOf)) {
                    log.error("{}: only the latest published snapshot of a network can be retracted, and that is {}'s", what, latest.get());
                    return ExitCodes.BAD_CONFIGURATION;
                }
                undoHistory(run, reason, by);
                log.info("{}: snapshot retracted (run {}): its history versions are undone; reason: {}", what, run.runId(), reason);
                CrashPoints.reach("retract.after-commit");
            } else if (run.status() != RunStatus.RETRACTED) {
                log.error("{}: this snapshot was never published (its run is {}): there is nothing to retract", what,
                        run.status().name().toLowerCase(java.util.Locale.ROOT));
                return ExitCodes.BAD_CONFIGURATION;
            } else if ((run.retractionParquetDone() || !run.parquetExported()) && !icebergLeft(run)) {
                log.info("{}: this snapshot was already retracted; nothing to do", what);
                return ExitCodes.ALREADY_COMPLETE;
            }
            if (icebergLeft(run)) {
                var why = new JdbcTemplate(dataSource).queryForMap("SELECT retraction_reason, retracted_by FROM census.run WHERE run_id = ?",
                        run.runId());
                try (io.wickrcensus.iceberg.Lake l = lake.get()) {
                    l.retract(run.runId(), networkId, asOf, run.billingPeriods().stream().map(YearMonth::toString).toList(),
                            (String) why.get("retraction_reason"), (String) why.get("retracted_by"));
                }
                ledger.retractionIcebergDone(run.runId());
            }
            if (run.retractionParquetDone() || !run.parquetExported()) {
                return ExitCodes.OK;
            }
            if (run.parquetExported()) {
                if (!parquet.enabled()) {
                    log.warn("{}: the snapshot's Parquet partitions were left as they are (--parquet off); retract again with "
                            + "--parquet on to remove them", what);
                    return ExitCodes.OK;
                }
                List<String> periods = run.billingPeriods().stream().map(YearMonth::toString).toList();
                exporter.retract(run.runId(), networkId, asOf, periods);
                ledger.retractionParquetDone(run.runId());
            }
            return ExitCodes.OK;
        }
    }

    /** Whether the night is in the Iceberg tables and its retraction not yet (with Iceberg on for this command). */
    private boolean icebergLeft(RunLedger.Run run) {
        return iceberg && run.icebergCommitted() && !run.retractionIcebergDone();
    }

    /** The one transaction: history versions undone, the run marked retracted. */
    private void undoHistory(RunLedger.Run run, String reason, String by) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                JdbcTemplate jdbc = new JdbcTemplate(new SingleConnectionDataSource(c, true));
                RunLedger ledger = new RunLedger(jdbc);
                ledger.lockPublishing(); // no publish of this network runs meanwhile
                if (ledger.status(run.runId()) != RunStatus.PUBLISHED
                        || !ledger.latestPublished(run.networkId()).map(run.asOf()::equals).orElse(false)) {
                    throw new IllegalStateException("network " + run.networkId() + ": the snapshot of " + run.asOf()
                            + " stopped being the latest published one while retracting; nothing was changed");
                }
                long seq = ledger.publishSeq(run.runId());
                for (String table : List.of("census.user_version", "census.guest_version")) {
                    jdbc.update("DELETE FROM " + table + " WHERE network_id = ? AND valid_from = ?", run.networkId(), seq);
                    jdbc.update("UPDATE " + table + " SET valid_to = NULL WHERE network_id = ? AND valid_to = ?", run.networkId(), seq);
                }
                ledger.retracted(run.runId(), by, reason);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
