package io.wickrcensus.job;

import io.wickrcensus.api.errors.ForbiddenException;
import io.wickrcensus.api.errors.ResourceNotFoundException;
import io.wickrcensus.api.errors.UnauthorizedException;
import io.wickrcensus.cli.ExitCodes;
import io.wickrcensus.job.steps.ParquetTasklet;
import io.wickrcensus.job.steps.RunContext;
import io.wickrcensus.parquet.ParquetExporter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.YearMonth;
import java.util.List;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobInstanceAlreadyCompleteException;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.stereotype.Component;

/**
 * Launches the run of one network and as-of date, exactly once at a time: a PostgreSQL advisory
 * lock held for the run's lifetime refuses a concurrent launch and, once held, proves that an
 * execution still marked as running belongs to a process that died, so it is recovered and the
 * run restarted where it stopped.
 */
@Component
public class RunLauncher {

    private static final Logger log = LoggerFactory.getLogger(RunLauncher.class);
    private static final int LOCK_CLASS = 0x57434E53; // "WCNS"

    private final DataSource dataSource;
    private final JobOperator jobOperator;
    private final JobRepository jobRepository;
    private final Job snapshotJob;
    private final RunLedger ledger;
    private final RunSettings settings;

    public RunLauncher(DataSource dataSource, JobOperator jobOperator, JobRepository jobRepository, Job snapshotJob,
                       RunLedger ledger, RunSettings settings) {
        this.dataSource = dataSource;
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
        this.snapshotJob = snapshotJob;
        this.ledger = ledger;
        this.settings = settings;
    }

    /** Waits before resuming a run whose database connection was lost (a restart, a failover). */
    private static final long[] RECONNECT_WAITS_MS = {2_000, 5_000, 10_000};
    /** Whether the launch on this thread failed because the database went away. */
    private static final ThreadLocal<Boolean> DATABASE_LOST = ThreadLocal.withInitial(() -> false);

    /**
     * Runs (or resumes) the network's snapshot; returns an exit code. A run that fails because the
     * database went away (restarted, failed over) is resumed in this process once it answers again,
     * a few times, as a relaunch would resume it.
     */
    public int launch(String networkId) {
        for (int attempt = 0; ; attempt++) {
            DATABASE_LOST.set(false);
            int code = launchOnce(networkId);
            if (code != ExitCodes.FAILED || !DATABASE_LOST.get() || attempt >= RECONNECT_WAITS_MS.length) {
                return code;
            }
            log.warn("network {} {}: the database connection was lost; resuming the run in {} s ({} of {})", networkId,
                    settings.asOf(), RECONNECT_WAITS_MS[attempt] / 1000, attempt + 1, RECONNECT_WAITS_MS.length);
            try {
                Thread.sleep(RECONNECT_WAITS_MS[attempt]);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return code;
            }
        }
    }

    /** A connection lost or refused: SQLSTATE class 08, or 57P (the server shut down or restarted). */
    static boolean databaseLost(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.sql.SQLTransientConnectionException) {
                return true;
            }
            if (c instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    private int launchOnce(String networkId) {
        try (Connection lock = dataSource.getConnection()) {
            if (!lock(lock, networkId, true)) {
                log.error("network {} {}: another launch for this network and date is running; this one refuses to start",
                        networkId, settings.asOf());
                return ExitCodes.CONCURRENT_LAUNCH;
            }
            try {
                return launchLocked(networkId);
            } finally {
                lock(lock, networkId, false);
            }
        } catch (SQLException e) {
            DATABASE_LOST.set(DATABASE_LOST.get() || databaseLost(e));
            log.error("network {} {}: the database failed: {}", networkId, settings.asOf(), e.getMessage());
            return ExitCodes.FAILED;
        }
    }

    private int launchLocked(String networkId) {
        String periods = settings.billingPeriods().stream().map(YearMonth::toString).collect(Collectors.joining(","));
        try {
            var existing = ledger.find(networkId, settings.asOf());
            boolean published = existing.isPresent() && existing.get().published();
            if (published && (existing.get().parquetExported() || !settings.parquet().enabled())) {
                recoverOrphanOfPublishedRun(networkId);
                log.info("network {} {}: this snapshot was already published; nothing to do", networkId, settings.asOf());
                return ExitCodes.ALREADY_COMPLETE;
            }
            if (existing.isPresent() && !existing.get().billingPeriods().equals(settings.billingPeriods())) {
                log.error("network {} {}: this run started with billing periods {}; relaunch it with the same ones (now {})",
                        networkId, settings.asOf(), existing.get().billingPeriods(), settings.billingPeriods());
                return ExitCodes.BAD_CONFIGURATION;
            }
            var later = ledger.latestPublished(networkId).filter(d -> !published && d.isAfter(settings.asOf()));
            if (later.isPresent()) {
                log.error("network {}: a later snapshot ({}) is already published; snapshots are taken in date order, so {} cannot be",
                        networkId, later.get(), settings.asOf());
                return ExitCodes.BAD_CONFIGURATION;
            }
            RunLedger.Run run = ledger.open(networkId, settings.asOf(), settings.billingPeriods());
            JobParameters params = new JobParametersBuilder(identifying(networkId))
                    .addString("billingPeriods", periods, false)
                    .addLong(RunContext.RUN_ID, run.runId(), false)
                    .toJobParameters();
            JobExecution last = jobRepository.getLastJobExecution(SnapshotJobConfiguration.JOB_NAME, params);
            if (last != null && last.getStatus().isRunning()) {
                log.warn("network {} {}: execution {} was left running by a process that died; recovering it", networkId,
                        settings.asOf(), last.getId());
                jobOperator.recover(last);
            }
            if (last != null) {
                releaseUnknown(networkId, last);
            } else {
                // a launch that lost the database between creating the instance and its first execution
                // leaves an instance Batch can neither start nor restart; it holds nothing, so it goes
                JobInstance empty = jobRepository.getJobInstance(SnapshotJobConfiguration.JOB_NAME, params);
                if (empty != null) {
                    log.warn("network {} {}: job instance {} was left without an execution; replacing it", networkId,
                            settings.asOf(), empty.getInstanceId());
                    jobRepository.deleteJobInstance(empty);
                }
            }
            log.info("network {} {}: {} run {} (billing periods {})", networkId, settings.asOf(),
                    last == null ? "starting" : "resuming", run.runId(), periods);
            JobExecution execution = jobOperator.start(snapshotJob, params);
            ledger.attachExecution(run.runId(), execution.getId());
            return outcome(networkId, run.runId(), execution);
        } catch (JobInstanceAlreadyCompleteException e) {
            return exportCompletedRun(networkId);
        } catch (Exception e) {
            DATABASE_LOST.set(DATABASE_LOST.get() || databaseLost(e));
            log.error("network {} {}: {}", networkId, settings.asOf(), oneLine(e), e);
            return ExitCodes.FAILED;
        }
    }

    /** What names the job instance: the network and the as-of date. */
    private JobParameters identifying(String networkId) {
        return new JobParametersBuilder()
                .addString(RunContext.NETWORK_ID, networkId)
                .addLocalDate(RunContext.AS_OF, settings.asOf())
                .toJobParameters();
    }

    /** A run completed without Parquet (it was off then) gets its datasets now; otherwise there is nothing to do. */
    private int exportCompletedRun(String networkId) {
        var run = ledger.find(networkId, settings.asOf());
        if (run.isPresent() && run.get().published() && !run.get().parquetExported() && settings.parquet().enabled()) {
            try {
                ParquetTasklet.export(ledger, new ParquetExporter(dataSource, settings.parquet()), run.get());
                return ExitCodes.OK;
            } catch (SQLException | java.io.IOException e) {
                log.error("network {} {}: writing the Parquet datasets failed: {}", networkId, settings.asOf(), e.getMessage());
                return ExitCodes.FAILED;
            }
        }
        log.info("network {} {}: this snapshot was already completed; nothing to do", networkId, settings.asOf());
        return ExitCodes.ALREADY_COMPLETE;
    }

    /**
     * Batch marks a step UNKNOWN when its failure could not be rolled back (the database went away
     * mid-step), or leaves it STARTED when it could not record the end, and then refuses to restart
     * the job, asking for a person. Every step of this job is
     * re-runnable (staging resumes from what was committed, lookups and re-invitations are recorded
     * per item, publishing is one transaction, Parquet is rebuilt), and PostgreSQL rolled back what
     * was not committed, so such a step is marked FAILED and the relaunch resumes it.
     */
    private void releaseUnknown(String networkId, JobExecution last) {
        JobExecution full = jobRepository.getJobExecution(last.getId());
        boolean released = false;
        for (StepExecution step : full.getStepExecutions()) {
            // UNKNOWN, or still STARTED because the database went away before Batch could record the end;
            // we hold the run's lock, so no other process runs it
            if (step.getStatus() == BatchStatus.UNKNOWN || step.getStatus().isRunning()) {
                step.setStatus(BatchStatus.FAILED);
                step.setExitStatus(ExitStatus.FAILED.addExitDescription(
                        "marked FAILED by wickr-census: its failure could not be rolled back; the step is re-runnable"));
                jobRepository.update(step);
                released = true;
            }
        }
        if (full.getStatus() == BatchStatus.UNKNOWN) {
            full.setStatus(BatchStatus.FAILED);
            full.setExitStatus(ExitStatus.FAILED);
            jobRepository.update(full);
            released = true;
        }
        if (released) {
            log.warn("network {} {}: execution {} ended without a rollback (the database went away); resuming it",
                    networkId, settings.asOf(), last.getId());
        }
    }

    /** A process killed between the publish commit and the job's own bookkeeping leaves a STARTED execution behind. */
    private void recoverOrphanOfPublishedRun(String networkId) {
        JobExecution last = jobRepository.getLastJobExecution(SnapshotJobConfiguration.JOB_NAME, identifying(networkId));
        if (last != null && last.getStatus().isRunning()) {
            log.warn("network {} {}: execution {} was left running after its snapshot was published; recovering it",
                    networkId, settings.asOf(), last.getId());
            jobOperator.recover(last);
        }
    }

    private int outcome(String networkId, long runId, JobExecution execution) {
        if (execution.getStatus() == BatchStatus.COMPLETED) {
            log.info("network {} {}: snapshot published (run {})", networkId, settings.asOf(), runId);
            return ExitCodes.OK;
        }
        List<Throwable> failures = execution.getAllFailureExceptions();
        DATABASE_LOST.set(failures.stream().anyMatch(RunLauncher::databaseLost));
        Throwable root = failures.stream().min(java.util.Comparator.comparingInt(RunLauncher::vagueness)).orElse(null);
        String message = root == null ? "the job ended " + execution.getStatus() : oneLine(root);
        ledger.failed(runId, message);
        int code = ExitCodes.FAILED;
        for (Throwable t : failures) {
            for (Throwable c = t; c != null; c = c.getCause()) {
                if (c instanceof ForbiddenException || c instanceof UnauthorizedException) {
                    code = ExitCodes.AUTH_FAILURE;
                    message = c.getMessage();
                } else if (c instanceof ResourceNotFoundException && code == ExitCodes.FAILED) {
                    code = ExitCodes.BAD_CONFIGURATION;
                    message = c.getMessage() + " (is the network id right?)";
                }
            }
        }
        log.error("network {} {}: run {} failed: {}{}", networkId, settings.asOf(), runId, message,
                code == ExitCodes.FAILED ? "; run the same command again to resume" : "");
        if (log.isDebugEnabled()) {
            failures.forEach(t -> log.debug("network {}: failure of run {}", networkId, runId, t));
        }
        return code;
    }

    /** How little a failure says: an API error says most, the partition handler's summary least. */
    private static int vagueness(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof software.amazon.awssdk.core.exception.SdkException) {
                return 0;
            }
        }
        String m = t.getMessage();
        return m != null && m.startsWith("Partition handler returned an unsuccessful step") ? 2 : 1;
    }

    private static String oneLine(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && (c.getMessage() == null || c.getMessage().isBlank())) {
            c = c.getCause();
        }
        String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        return m.replaceAll("\\s+", " ");
    }

    /** Takes ({@code true}) or releases the run's session lock; the connection goes back to a pool, so release it. */
    private boolean lock(Connection c, String networkId, boolean take) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(take ? "SELECT pg_try_advisory_lock(?, hashtext(?))"
                : "SELECT pg_advisory_unlock(?, hashtext(?))")) {
            ps.setInt(1, LOCK_CLASS);
            ps.setString(2, networkId + "|" + settings.asOf());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
