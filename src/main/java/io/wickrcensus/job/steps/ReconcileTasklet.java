package io.wickrcensus.job.steps;

import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.faults.CrashPoints;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Step 4, reconcile: compares what was staged with the service's own counts (GetUsersCount, and
 * GetGuestUserHistoryCount for the periods it still reports) and records both. A difference beyond
 * the tolerance fails the run before anything is published.
 */
public class ReconcileTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger(ReconcileTasklet.class);

    private final JdbcTemplate jdbc;
    private final RunLedger ledger;
    private final WickrAdminClient client;
    private final double tolerance;

    public ReconcileTasklet(JdbcTemplate jdbc, RunLedger ledger, WickrAdminClient client, double tolerance) {
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.client = client;
        this.tolerance = tolerance;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        RunContext run = RunContext.of(contribution.getStepExecution());
        long staged = jdbc.queryForObject("SELECT count(DISTINCT user_id) FROM census.stage_user WHERE run_id = ?", Long.class, run.runId());
        long reported = client.getUsersCount(run.networkId()).total();
        ledger.userCounts(run.runId(), staged, reported);
        List<String> problems = new ArrayList<>();
        check("users", staged, reported, problems);

        Map<String, Long> history = client.getGuestUserHistoryCount(run.networkId()).countsByBillingPeriod();
        List<String> periods = jdbc.queryForList("SELECT billing_period FROM census.run_period WHERE run_id = ? ORDER BY 1",
                String.class, run.runId());
        for (String period : periods) {
            long guests = jdbc.queryForObject(
                    "SELECT count(DISTINCT username_hash) FROM census.stage_guest WHERE run_id = ? AND billing_period = ?",
                    Long.class, run.runId(), period);
            Long service = history.get(period);
            ledger.guestCounts(run.runId(), period, guests, service);
            if (service != null) {
                check("guests in " + period, guests, service, problems);
            } else {
                log.info("network {}: the service no longer reports a guest count for {}; {} guests staged", run.networkId(), period, guests);
            }
        }
        if (!problems.isEmpty()) {
            throw new ReconciliationException("network " + run.networkId() + " does not reconcile: " + String.join("; ", problems)
                    + " (tolerance " + tolerance * 100 + "%); nothing was published");
        }
        CrashPoints.reach("reconcile");
        log.info("network {} reconciles: {} users staged, {} reported", run.networkId(), staged, reported);
        return RepeatStatus.FINISHED;
    }

    private void check(String what, long staged, long reported, List<String> problems) {
        long allowed = (long) Math.floor(Math.max(staged, reported) * tolerance);
        if (Math.abs(staged - reported) > allowed) {
            problems.add(what + ": staged " + staged + ", the service reports " + reported);
        }
    }

    /** Staged and reported counts differ beyond the tolerance. */
    public static final class ReconciliationException extends RuntimeException {
        public ReconciliationException(String message) {
            super(message);
        }
    }
}
