package io.wickrcensus.job;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The run ledger, {@code census.run} and {@code census.run_period}. */
@Component
public class RunLedger {

    /** One run as the ledger holds it. */
    public record Run(long runId, String networkId, LocalDate asOf, List<YearMonth> billingPeriods, String status,
                      boolean parquetExported) {
        public boolean published() {
            return "PUBLISHED".equals(status);
        }
    }

    private final JdbcTemplate jdbc;

    public RunLedger(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Run> find(String networkId, LocalDate asOf) {
        return jdbc.query("SELECT run_id, network_id, as_of, billing_periods, status, parquet_exported_at FROM census.run WHERE network_id = ? AND as_of = ?",
                RunLedger::run, networkId, asOf).stream().findFirst();
    }

    public Run get(long runId) {
        return jdbc.queryForObject("SELECT run_id, network_id, as_of, billing_periods, status, parquet_exported_at FROM census.run WHERE run_id = ?",
                RunLedger::run, runId);
    }

    /** Opens the run (or counts another attempt of it) and returns it. */
    public Run open(String networkId, LocalDate asOf, List<YearMonth> periods) {
        String[] ps = periods.stream().map(YearMonth::toString).toArray(String[]::new);
        Long runId = jdbc.queryForObject("""
                INSERT INTO census.run (network_id, as_of, billing_periods) VALUES (?, ?, ?)
                ON CONFLICT (network_id, as_of) DO UPDATE
                   SET attempts = census.run.attempts + 1, last_error = NULL,
                       status = CASE WHEN census.run.status = 'PUBLISHED' THEN 'PUBLISHED' ELSE 'STARTED' END,
                       finished_at = CASE WHEN census.run.status = 'PUBLISHED' THEN census.run.finished_at END
                RETURNING run_id""", Long.class, networkId, asOf, ps);
        for (String p : ps) {
            jdbc.update("INSERT INTO census.run_period (run_id, billing_period) VALUES (?, ?) ON CONFLICT DO NOTHING", runId, p);
        }
        return get(runId);
    }

    public void attachExecution(long runId, long jobExecutionId) {
        jdbc.update("UPDATE census.run SET job_execution_id = ? WHERE run_id = ?", jobExecutionId, runId);
    }

    public void parquetExported(long runId) {
        jdbc.update("UPDATE census.run SET parquet_exported_at = now() WHERE run_id = ?", runId);
    }

    public void failed(long runId, String error) {
        jdbc.update("UPDATE census.run SET status = 'FAILED', finished_at = now(), last_error = ? WHERE run_id = ? AND status <> 'PUBLISHED'",
                error, runId);
    }

    /** The as-of date of the latest published run of the network, if any. */
    public Optional<LocalDate> latestPublished(String networkId) {
        return jdbc.query("SELECT max(as_of) FROM census.run WHERE network_id = ? AND status = 'PUBLISHED'",
                (rs, i) -> rs.getObject(1, LocalDate.class), networkId).stream().filter(java.util.Objects::nonNull).findFirst();
    }

    private static Run run(ResultSet rs, int i) throws SQLException {
        Array a = rs.getArray("billing_periods");
        List<YearMonth> periods = new ArrayList<>();
        for (String p : (String[]) a.getArray()) {
            periods.add(YearMonth.parse(p));
        }
        return new Run(rs.getLong("run_id"), rs.getString("network_id"), rs.getObject("as_of", LocalDate.class),
                List.copyOf(periods), rs.getString("status"), rs.getObject("parquet_exported_at") != null);
    }
}
