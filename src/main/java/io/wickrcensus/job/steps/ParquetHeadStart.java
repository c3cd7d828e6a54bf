package io.wickrcensus.job.steps;

import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import io.wickrcensus.parquet.ParquetExporter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;

/**
 * The head start of the Parquet step; one per job execution (job scope). When the uname step
 * starts, staging is complete and the snapshot fixed, so the users partition (the largest dataset)
 * is written from staging on a thread of its own while lookups, reconciliation and publish go on
 * ({@link ParquetExporter#prepare}), reading staging in a snapshot taken before the step runs
 * (publish clears staging, possibly before the thread's query starts). When the uname step has
 * completed, the uname directory is final for the run and the same thread writes it next
 * ({@link ParquetExporter#prepareUnames}), while reconciliation and publish go on. The Parquet step then only makes them the partitions'.
 * Like the uname head start it is only an optimisation and keeps nothing across a crash: a
 * relaunch, or a failed head start, leaves the Parquet step to write the partitions from what
 * PostgreSQL holds.
 */
public class ParquetHeadStart implements StepExecutionListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ParquetHeadStart.class);

    private final ParquetExporter exporter;
    private final RunLedger ledger;
    private final boolean enabled;
    private CompletableFuture<ParquetExporter.Prepared> prepared;
    /** Completed when the uname step ends: true if it completed (the directory is final for the run). */
    private final CompletableFuture<Boolean> unamesDone = new CompletableFuture<>();
    private Thread writer;
    private long runId;

    public ParquetHeadStart(ParquetExporter exporter, RunLedger ledger, boolean enabled) {
        this.exporter = exporter;
        this.ledger = ledger;
        this.enabled = enabled;
    }

    /** The uname step starts (staging is complete): the users partition is written meanwhile. */
    @Override
    public synchronized void beforeStep(StepExecution step) {
        if (!enabled || prepared != null) {
            return;
        }
        RunContext run = RunContext.of(step);
        RunLedger.Run ledgered = ledger.get(run.runId());
        ParquetExporter.StagedSnapshot staged;
        try {
            // taken here, before the step runs: the publish that follows clears staging
            staged = exporter.pinStaged();
        } catch (java.sql.SQLException | RuntimeException e) {
            log.warn("the users partition is not written ahead, the Parquet step writes it: {}", e.toString());
            return;
        }
        runId = run.runId();
        CompletableFuture<ParquetExporter.Prepared> f = new CompletableFuture<>();
        prepared = f;
        writer = new Thread(() -> {
            ParquetExporter.Prepared p;
            try {
                p = exporter.prepare(staged, run.runId(), run.networkId(), ledgered.asOf());
            } catch (Throwable t) {
                f.completeExceptionally(t);
                return;
            }
            try {
                if (unamesDone.get()) {
                    exporter.prepareUnames(p, run.networkId());
                }
            } catch (InterruptedException e) {
                // the job ends: close() abandons what was written
            } catch (Throwable t) {
                log.warn("the uname partition written ahead failed, the Parquet step writes it: {}", cause(t));
            }
            f.complete(p);
        }, "parquet-ahead-" + run.networkId());
        writer.setDaemon(true);
        writer.start();
    }

    /** The uname step ends: if it completed, the writer goes on to the uname directory. */
    @Override
    public ExitStatus afterStep(StepExecution step) {
        unamesDone.complete(step.getStatus() == BatchStatus.COMPLETED);
        return null;
    }

    private static String cause(Throwable t) {
        return (t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t).toString();
    }

    /**
     * The partitions written ahead for {@code runId}, waiting for it if still being written,
     * or null: none was started in this process, or it failed (logged; the Parquet step writes the
     * partition itself and meets the same problem, if it lasts, with its own error).
     */
    public ParquetExporter.Prepared take(long runId) throws InterruptedException {
        CompletableFuture<ParquetExporter.Prepared> f;
        synchronized (this) {
            f = prepared;
            if (f == null || this.runId != runId) {
                return null;
            }
            prepared = CompletableFuture.completedFuture(null); // taken: close() leaves it to the caller
        }
        try {
            return f.get();
        } catch (ExecutionException e) {
            log.warn("the users partition written ahead failed, the Parquet step writes it: {}", cause(e));
            return null;
        }
    }

    /**
     * Gives up what was written ahead and not taken (the job ended without a Parquet step): the
     * writer, if still writing, is interrupted and waited for, so nothing of it outlives the job.
     */
    @Override
    public void close() {
        CompletableFuture<ParquetExporter.Prepared> f;
        Thread t;
        synchronized (this) {
            f = prepared;
            t = writer;
            prepared = null;
        }
        unamesDone.complete(false);
        if (f == null) {
            return;
        }
        if (t != null && t.isAlive()) {
            t.interrupt();
            try {
                t.join(CLOSE_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        f.whenComplete((p, e) -> {
            if (p != null) {
                p.close();
            }
        });
    }

    /** How long the job's end waits for an interrupted writer (a query under way ends on its own). */
    private static final long CLOSE_WAIT_MS = 30_000;
}
