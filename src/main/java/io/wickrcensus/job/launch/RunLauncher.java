package io.wickrcensus.job.launch;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.job.run.RunStatus;
import io.wickrcensus.job.steps.ParquetTasklet;
import io.wickrcensus.parquet.ParquetExporter;
import java.sql.SQLException;
import java.time.YearMonth;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobInstanceAlreadyCompleteException;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.stereotype.Component;

/**
 * Launches the run of one network and as-of date, exactly once at a time. The sequence:
 * <ol>
 * <li>take the run's {@link RunLock}, a lease only the job's database role can write (or refuse,
 * naming the session that holds it);</li>
 * <li>check the ledger: already published, other billing periods, a later snapshot published;</li>
 * <li>open the run in the ledger, {@link RepositoryRepair repair} what a crash left, and start
 * the job instance, which resumes a failed one where it stopped;</li>
 * <li>translate the outcome into an exit code ({@link FailureTranslator}).</li>
 * </ol>
 * A run that fails because the database went away is resumed in this process once it answers
 * again, a few times, as a relaunch would resume it.
 */
@Component
public class RunLauncher {

    private static final Logger log = LoggerFactory.getLogger(RunLauncher.class);
    /** Waits before resuming a run whose database connection was lost (a restart, a failover). */
    private static final long[] RECONNECT_WAITS_MS = {2_000, 5_000, 10_000};

    private final DataSource dataSource;
    private final JobOperator jobOperator;
    private final Job snapshotJob;
    private final RunLedger ledger;
    private final RunSettings settings;
    private final RepositoryRepair repair;
    private final ParquetExporter exporter;
    private final java.util.function.Supplier<io.wickrcensus.iceberg.Lake> lake;

    public RunLauncher(DataSource dataSource, JobOperator jobOperator, JobRepository jobRepository, Job snapshotJob,
                       RunLedger ledger, RunSettings settings, ParquetExporter exporter,
                       java.util.function.Supplier<io.wickrcensus.iceberg.Lake> lake) {
        this.dataSource = dataSource;
        this.exporter = exporter;
        this.lake = lake;
        this.jobOperator = jobOperator;
        this.snapshotJob = snapshotJob;
        this.ledger = ledger;
        this.settings = settings;
        this.repair = new RepositoryRepair(jobOperator, jobRepository);
    }

    /** Runs (or resumes) the network's snapshot. */
    public LaunchOutcome launch(String networkId) {
        for (int attempt = 0; ; attempt++) {
            LaunchOutcome outcome = launchOnce(networkId);
            if (outcome.exitCode() != ExitCodes.FAILED || !outcome.databaseLost() || attempt >= RECONNECT_WAITS_MS.length) {
                return outcome;
            }
            log.warn("{}: the database connection was lost; resuming the run in {} s ({} of {})", name(networkId),
                    RECONNECT_WAITS_MS[attempt] / 1000, attempt + 1, RECONNECT_WAITS_MS.length);
            try {
                Thread.sleep(RECONNECT_WAITS_MS[attempt]);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return outcome;
            }
        }
    }

    private LaunchOutcome launchOnce(String networkId) {
        try {
            RunLock.Attempt attempt = RunLock.tryAcquire(dataSource, networkId, settings.asOf());
            if (attempt.lock() == null) {
                log.error("{}: another launch for this network and date is running ({}); this one refuses to start", name(networkId),
                        attempt.holder() == null ? "it just ended" : attempt.holder());
                return LaunchOutcome.of(ExitCodes.CONCURRENT_LAUNCH);
            }
            try (RunLock held = attempt.lock()) {
                return launchLocked(networkId);
            }
        } catch (SQLException e) {
            log.error("{}: the database failed: {}", name(networkId), e.getMessage());
            return new LaunchOutcome(ExitCodes.FAILED, FailureTranslator.databaseLost(e));
        }
    }

    private LaunchOutcome launchLocked(String networkId) {
        JobParameters identifying = RunContext.identifying(networkId, settings.asOf());
        try {
            var existing = ledger.find(networkId, settings.asOf());
            if (existing.isPresent() && existing.get().status() == RunStatus.RETRACTED) {
                log.error("{}: this snapshot was retracted, and a retracted date is not taken again (see census.runs)", name(networkId));
                return LaunchOutcome.of(ExitCodes.BAD_CONFIGURATION);
            }
            boolean published = existing.isPresent() && existing.get().published();
            if (published && !missing(existing.get())) {
                // a process killed between the publish commit and Batch's own bookkeeping left it STARTED
                repair.recoverOrphan(name(networkId), identifying);
                log.info("{}: this snapshot was already published; nothing to do", name(networkId));
                return LaunchOutcome.of(ExitCodes.ALREADY_COMPLETE);
            }
            if (existing.isPresent() && !existing.get().billingPeriods().equals(settings.billingPeriods())) {
                log.error("{}: this run started with billing periods {}; relaunch it with the same ones (now {})",
                        name(networkId), existing.get().billingPeriods(), settings.billingPeriods());
                return LaunchOutcome.of(ExitCodes.BAD_CONFIGURATION);
            }
            var later = ledger.latestPublished(networkId).filter(d -> !published && d.isAfter(settings.asOf()));
            if (later.isPresent()) {
                log.error("network {}: its snapshot as of {} is already published, and snapshots are taken in date order, so one as of "
                        + "{} can no longer be taken (the API gives only today's state)",
                        networkId, later.get(), settings.asOf());
                return LaunchOutcome.of(ExitCodes.BAD_CONFIGURATION);
            }
            RunLedger.Run run = ledger.open(networkId, settings.asOf(), settings.billingPeriods());
            String periods = settings.billingPeriods().stream().map(YearMonth::toString).collect(Collectors.joining(","));
            JobParameters params = new JobParametersBuilder(identifying)
                    .addString(RunContext.BILLING_PERIODS, periods, false)
                    .addLong(RunContext.RUN_ID, run.runId(), false)
                    .toJobParameters();
            boolean resuming = repair.repair(name(networkId), identifying);
            log.info("{}: {} run {} (billing periods {})", name(networkId), resuming ? "resuming" : "starting", run.runId(), periods);
            JobExecution execution = jobOperator.start(snapshotJob, params);
            ledger.attachExecution(run.runId(), execution.getId());
            return outcome(networkId, run.runId(), execution);
        } catch (JobInstanceAlreadyCompleteException e) {
            return LaunchOutcome.of(exportCompletedRun(networkId));
        } catch (Exception e) {
            log.error("{}: {}", name(networkId), FailureTranslator.oneLine(e), e);
            return new LaunchOutcome(ExitCodes.FAILED, FailureTranslator.databaseLost(e));
        }
    }

    /** Whether a published run lacks what this launch's settings ask for: its Parquet datasets, or its Iceberg commits. */
    private boolean missing(RunLedger.Run run) {
        return (!run.parquetExported() && settings.parquet().enabled()) || (!run.icebergCommitted() && settings.iceberg().enabled());
    }

    /**
     * A run completed without Parquet or Iceberg (off then, or killed after Batch recorded the job
     * complete) gets them now; otherwise there is nothing to do.
     */
    private int exportCompletedRun(String networkId) {
        var run = ledger.find(networkId, settings.asOf());
        if (run.isPresent() && run.get().published() && missing(run.get())) {
            try {
                if (!run.get().parquetExported() && settings.parquet().enabled()) {
                    ParquetTasklet.export(ledger, exporter, run.get(), null);
                }
                if (!run.get().icebergCommitted() && settings.iceberg().enabled()) {
                    io.wickrcensus.job.steps.IcebergTasklet.commit(ledger, lake, run.get());
                }
                return ExitCodes.OK;
            } catch (SQLException | java.io.IOException | RuntimeException e) {
                log.error("{}: writing the Parquet datasets or the Iceberg tables failed: {}", name(networkId), e.getMessage());
                return ExitCodes.FAILED;
            }
        }
        log.info("{}: this snapshot was already completed; nothing to do", name(networkId));
        return ExitCodes.ALREADY_COMPLETE;
    }

    private LaunchOutcome outcome(String networkId, long runId, JobExecution execution) {
        if (execution.getStatus() == BatchStatus.COMPLETED) {
            log.info("{}: snapshot published (run {})", name(networkId), runId);
            return LaunchOutcome.of(ExitCodes.OK);
        }
        var failures = execution.getAllFailureExceptions();
        FailureTranslator.Verdict verdict = FailureTranslator.translate(failures);
        String message = execution.getStatus() == BatchStatus.STOPPED ? "stopped on request (SIGTERM) at a chunk boundary"
                : verdict.message() != null ? verdict.message() : "the job ended " + execution.getStatus();
        boolean refused = verdict.exitCode() == ExitCodes.AUTH_FAILURE || verdict.exitCode() == ExitCodes.BAD_CONFIGURATION;
        if (refused && ledger.discardRefused(runId)) {
            // the service refused the run: nothing of it is kept, in the ledger or in Batch's repository
            repair.forget(name(networkId), execution);
            log.error("{}: the service refused the run: {}; nothing was recorded", name(networkId), message);
            return new LaunchOutcome(verdict.exitCode(), false);
        }
        ledger.failed(runId, message);
        log.error("{}: run {} failed: {}{}", name(networkId), runId, message,
                verdict.exitCode() == ExitCodes.FAILED ? "; run the same command again to resume" : "");
        if (log.isDebugEnabled()) {
            failures.forEach(t -> log.debug("network {}: failure of run {}", networkId, runId, t));
        }
        return new LaunchOutcome(verdict.exitCode(), verdict.databaseLost());
    }

    /** How the logs name this run: "network N YYYY-MM-DD". */
    private String name(String networkId) {
        return "network " + networkId + " " + settings.asOf();
    }
}
