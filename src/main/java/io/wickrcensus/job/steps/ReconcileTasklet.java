package io.wickrcensus.job.steps;

import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.api.model.BotsCount;
import io.wickrcensus.api.model.UsersCount;
import io.wickrcensus.faults.CrashPoints;
import io.wickrcensus.job.run.ReconcileMode;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import io.wickrcensus.job.run.RunMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Step 4, reconcile: compares what was staged with the service's own counts and records both.
 *
 * <p>GetUsersCount and GetBotsCount are read as the users step begins paging (it records them) and
 * again here. {@link CountReadings} judges the staged users and bots (a user with {@code isUser}
 * false, or, where {@code isUser} is absent, a username ending in {@code bot}) against both
 * readings, under each reading of the counts the model allows; the reading that matched is
 * recorded. The guests of each period are compared with GetGuestUserHistoryCount where it still
 * reports them. A difference beyond the allowance fails the run before anything is published,
 * unless {@code --reconcile} says to warn (publish and flag the run) or not to compare.
 */
public class ReconcileTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger(ReconcileTasklet.class);

    private final JdbcTemplate jdbc;
    private final RunLedger ledger;
    private final WickrAdminClient client;
    private final double tolerance;
    private final CountReadings readings;
    private final ReconcileMode mode;
    private final RunMetrics metrics;

    public ReconcileTasklet(JdbcTemplate jdbc, RunLedger ledger, WickrAdminClient client, double tolerance, ReconcileMode mode,
                            RunMetrics metrics) {
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.client = client;
        this.tolerance = tolerance;
        this.readings = new CountReadings(tolerance);
        this.mode = mode;
        this.metrics = metrics;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        RunContext run = RunContext.of(contribution.getStepExecution());
        CountReadings.Staged staged = jdbc.queryForObject("""
                SELECT count(*) FILTER (WHERE NOT bot AND status = 1), count(*) FILTER (WHERE NOT bot AND status IS DISTINCT FROM 1),
                       count(*) FILTER (WHERE bot AND status = 1), count(*) FILTER (WHERE bot AND status IS DISTINCT FROM 1)
                FROM (SELECT status,
                             -- isUser says it; only where it is absent, the name does (a person called Talbot is not a bot)
                             coalesce(NOT is_user, username LIKE '%bot') AS bot
                      FROM (""" + StagedChanges.lastStaged("", StagedChanges.listedOnce(jdbc, run.runId())) + ") s) u",
                (rs, i) -> new CountReadings.Staged(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)), run.runId());
        UsersCount users = client.getUsersCount(run.networkId());
        BotsCount bots = client.getBotsCount(run.networkId());
        Optional<CountReadings.Counts> before = ledger.countsBefore(run.runId())
                .map(e -> new CountReadings.Counts(e.getKey(), e.getValue()));
        CountReadings.Verdict verdict = readings.judge(staged, before, new CountReadings.Counts(users, bots));

        List<String> problems = new ArrayList<>();
        if (verdict.reading().isEmpty()) {
            problems.add("users and bots (under no reading of the service's counts; under the likeliest): "
                    + String.join(", ", verdict.differences()));
        }
        String matched = verdict.reading().map(r -> r.label).orElse(null);
        problems.addAll(checkGuests(run));

        String outcome = mode == ReconcileMode.OFF ? "off" : problems.isEmpty() ? "matched" : "warned";
        String detail = problems.isEmpty() ? null : String.join("; ", problems);
        ledger.reconciled(run.runId(), staged.total(), users.total(), staged.bots(), bots.total(), matched, outcome, detail);
        if (!problems.isEmpty() && mode == ReconcileMode.FAIL) {
            throw new ReconciliationException("network " + run.networkId() + " does not reconcile: " + detail + " (tolerance "
                    + allowance() + "); nothing was published. If the service's counts are known to differ, relaunch with "
                    + "--reconcile=warn to publish and flag the run");
        }
        if (!problems.isEmpty() && mode == ReconcileMode.WARN) {
            metrics.reconcileWarning();
            log.warn("network {} does not reconcile: {} (tolerance {}); publishing as --reconcile=warn asks, flagged in census.runs",
                    run.networkId(), detail, allowance());
        }
        CrashPoints.reach("reconcile");
        log.info("network {} {}: {} users and {} bots staged; GetUsersCount {} ({}), GetBotsCount {}", run.networkId(),
                mode == ReconcileMode.OFF ? "(not compared)" : problems.isEmpty() ? "reconciles" : "does not reconcile",
                staged.total() - staged.bots(), staged.bots(), users.total(), matched == null ? "no reading matched" : matched,
                bots.total());
        return RepeatStatus.FINISHED;
    }

    private List<String> checkGuests(RunContext run) {
        List<String> problems = new ArrayList<>();
        Map<String, Long> history = client.getGuestUserHistoryCount(run.networkId()).countsByBillingPeriod();
        List<String> periods = jdbc.queryForList("SELECT billing_period FROM census.run_period WHERE run_id = ? ORDER BY 1",
                String.class, run.runId());
        List<String> uncounted = new ArrayList<>();
        for (String period : periods) {
            long guests = jdbc.queryForObject(
                    "SELECT count(DISTINCT username_hash) FROM census.stage_guest WHERE run_id = ? AND billing_period = ?",
                    Long.class, run.runId(), period);
            Long service = history.get(period);
            ledger.guestCounts(run.runId(), period, guests, service);
            if (service != null) {
                readings.compare("guests in " + period, guests, Optional.empty(), service, problems);
            } else {
                uncounted.add(period);
            }
        }
        if (!uncounted.isEmpty()) {
            // expected for periods older than the service's history (about 90 days): one line, not one a period
            log.info("network {}: the service keeps guest counts for recent billing periods only (about 90 days); the guests of {} "
                    + "were staged and recorded with no count to compare", run.networkId(), String.join(", ", uncounted));
        }
        return problems;
    }

    /** The allowance, as an operator reads it. */
    private String allowance() {
        return tolerance == 0 ? "0, exact counts" : percent(tolerance) + ", at least " + CountReadings.MIN_ALLOWED + " users";
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%s%%", new java.math.BigDecimal(Double.toString(fraction * 100)).stripTrailingZeros().toPlainString());
    }

    /** Staged and reported counts differ beyond the tolerance. */
    public static final class ReconciliationException extends RuntimeException {
        public ReconciliationException(String message) {
            super(message);
        }
    }
}
