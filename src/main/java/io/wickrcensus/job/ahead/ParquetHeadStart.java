package io.wickrcensus.job.ahead;

import io.wickrcensus.api.model.ListedUser;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import io.wickrcensus.job.steps.PartitionsWrittenAhead;
import io.wickrcensus.job.steps.StagingListener;
import io.wickrcensus.parquet.WriteAhead;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;

/**
 * The head start of the Parquet step; one per job execution (job scope). The users partition (the
 * largest dataset) is written while the users step stages ({@link UsersPartitionAsStaged}, fed by
 * the step's batches once committed). Where that was not done or given up (a user listed twice,
 * or the users step completed in an earlier execution), it is written when the uname step starts,
 * the snapshot being fixed by then: from staging on a thread of its own while lookups,
 * reconciliation and publish go on ({@link WriteAhead#prepareUsers}), reading staging in a
 * snapshot taken before the step runs (publish clears staging, possibly before the thread's query
 * starts). When the uname step has completed, the uname directory is final for the run and a
 * second thread writes it ({@link WriteAhead#prepareUnames}), beside the users partition if
 * that is still being written, while reconciliation and publish go on. The Parquet step then only
 * makes them the partitions'.
 * Like the uname head start it is only an optimisation and keeps nothing across a crash: a
 * relaunch, or a failed head start, leaves the Parquet step to write the partitions from what
 * PostgreSQL holds.
 */
public class ParquetHeadStart implements PartitionsWrittenAhead, StepExecutionListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ParquetHeadStart.class);

    private final WriteAhead exporter;
    private final RunLedger ledger;
    /** The store opened for the run's partitions written ahead. */
    private final CompletableFuture<WriteAhead.Prepared> opened = new CompletableFuture<>();
    /** Completed when the users partition is written (exceptionally if it failed). */
    private CompletableFuture<WriteAhead.Prepared> prepared;
    /** Completed when the uname partition's writer has ended, whether it wrote or not. */
    private final CompletableFuture<Void> unamesWritten = new CompletableFuture<>();
    /** Completed when the uname step ends: true if it completed (the directory is final for the run). */
    private final CompletableFuture<Boolean> unamesDone = new CompletableFuture<>();
    private final List<Thread> writers = new ArrayList<>();
    private long runId;
    /** The users partition written while the users step staged, if that step ran in this job execution. */
    private UsersPartitionAsStaged asStaged;
    /** The Parquet step took what was written: it is the step's to commit or give up. */
    private boolean taken;

    public ParquetHeadStart(WriteAhead exporter, RunLedger ledger) {
        this.exporter = exporter;
        this.ledger = ledger;
    }

    /**
     * What the users step does beside staging: the users partition written as the batches are
     * committed ({@link UsersPartitionAsStaged}); null where Parquet is off. When it was written,
     * the uname step's start takes it instead of writing the partition from staging.
     */
    public synchronized StagingListener<ListedUser> usersAsStaged(RunContext run) {
        if (asStaged == null) {
            asStaged = new UsersPartitionAsStaged(exporter, run, ledger);
        }
        return asStaged;
    }

    /**
     * The uname step starts (staging is complete): the users partition is written meanwhile, and
     * the uname partition, on a second thread, as soon as the step has completed.
     */
    @Override
    public synchronized void beforeStep(StepExecution step) {
        if (prepared != null) {
            return;
        }
        RunContext run = RunContext.of(step);
        RunLedger.Run ledgered = ledger.get(run.runId());
        WriteAhead.StagedSnapshot staged;
        try {
            // taken here, before the step runs: the publish that follows clears staging
            staged = exporter.pinStaged();
        } catch (java.sql.SQLException | RuntimeException e) {
            log.warn("the users partition is not written ahead, the Parquet step writes it: {}", e.toString());
            return;
        }
        runId = run.runId();
        CompletableFuture<WriteAhead.Prepared> f = new CompletableFuture<>();
        prepared = f;
        UsersPartitionAsStaged asStaged = this.asStaged;
        start("parquet-ahead-" + run.networkId(), () -> {
            try {
                WriteAhead.Prepared p = asStaged == null ? null : asStaged.result();
                if (p != null) {
                    staged.close(); // written as staged: nothing to read
                    opened.complete(p);
                    f.complete(p);
                    return;
                }
                try {
                    p = exporter.open(run.runId(), run.networkId());
                } catch (Throwable t) {
                    staged.close();
                    throw t;
                }
                opened.complete(p);
                exporter.prepareUsers(p, staged, run.networkId(), ledgered.asOf());
                f.complete(p);
            } catch (Throwable t) {
                opened.completeExceptionally(t);
                f.completeExceptionally(t);
            }
        });
        start("parquet-ahead-unames-" + run.networkId(), () -> {
            try {
                if (unamesDone.get()) {
                    exporter.prepareUnames(opened.get(), run.networkId());
                }
            } catch (InterruptedException e) {
                // the job ends: close() abandons what was written
            } catch (ExecutionException e) {
                // the store did not open: the users writer's failure says why
            } catch (Throwable t) {
                log.warn("the uname partition written ahead failed, the Parquet step writes it: {}", cause(t));
            } finally {
                unamesWritten.complete(null);
            }
        });
    }

    private void start(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        writers.add(t);
        t.start();
    }

    /** The uname step ends: if it completed, the uname partition is written. */
    @Override
    public ExitStatus afterStep(StepExecution step) {
        unamesDone.complete(step.getStatus() == BatchStatus.COMPLETED);
        return null;
    }

    private static String cause(Throwable t) {
        return (t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t).toString();
    }

    /**
     * The partitions written ahead for {@code runId}, waiting for both writers if still writing,
     * or null: none was started in this process, or the users partition failed (logged; the
     * Parquet step writes the partitions itself and meets the same problem, if it lasts, with its
     * own error).
     */
    @Override
    public WriteAhead.Prepared take(long runId) throws InterruptedException {
        CompletableFuture<WriteAhead.Prepared> f;
        synchronized (this) {
            f = prepared;
            if (f == null || taken || this.runId != runId) {
                return null;
            }
            taken = true; // close() leaves it to the caller
        }
        try {
            WriteAhead.Prepared p = f.get();
            unamesWritten.get();
            return p;
        } catch (ExecutionException e) {
            log.warn("the users partition written ahead failed, the Parquet step writes it: {}", cause(e));
            abandonWhenWritten();
            return null;
        }
    }

    /** Once the uname writer has ended, gives up what the store holds and closes it. */
    private void abandonWhenWritten() {
        unamesWritten.thenRun(() -> opened.thenAccept(WriteAhead.Prepared::close));
    }

    /**
     * Gives up what was written ahead and not taken (the job ended without a Parquet step): the
     * writers, if still writing, are interrupted and waited for, so nothing of them outlives the job.
     */
    @Override
    public void close() {
        List<Thread> ts;
        UsersPartitionAsStaged notTaken;
        synchronized (this) {
            notTaken = taken ? null : asStaged;
            if (prepared == null || taken) {
                ts = List.of();
            } else {
                taken = true;
                ts = List.copyOf(writers);
            }
        }
        unamesDone.complete(false);
        if (notTaken != null) {
            // not taken by the Parquet step (if the users writer took it, closing it twice does nothing more);
            // outside the lock: abandoning waits for its writer
            notTaken.abandon();
        }
        if (ts.isEmpty()) {
            return;
        }
        for (Thread t : ts) {
            if (t.isAlive()) {
                t.interrupt();
                try {
                    t.join(CLOSE_WAIT_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        abandonWhenWritten();
    }

    /** How long the job's end waits for an interrupted writer (a query under way ends on its own). */
    private static final long CLOSE_WAIT_MS = 30_000;
}
