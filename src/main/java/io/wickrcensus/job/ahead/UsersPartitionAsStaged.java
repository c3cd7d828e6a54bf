package io.wickrcensus.job.ahead;

import io.wickrcensus.api.model.ListedUser;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import io.wickrcensus.job.steps.StagedRows;
import io.wickrcensus.job.steps.StagingListener;
import io.wickrcensus.parquet.WriteAhead;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users partition written while the users step stages, from each batch once it is committed,
 * on a thread of its own (a bounded queue between the two, so that memory holds a few batches):
 * on a night with few lookups the Parquet step then has nothing left to write for the users, where
 * writing them after staging was the tail's longest chain. The partition holds what publish will
 * make the roster, the last row staged of each user, only when every user was listed once: the
 * step says so as it ends ({@link StagingListener#end}); otherwise (a user listed twice, as
 * the service's paging moved under a change, or a step that did not complete) the write is given
 * up and the partition is written from staging as before ({@link ParquetHeadStart}). Like the other
 * head starts it keeps nothing across a crash, and any failure only gives it up.
 */
final class UsersPartitionAsStaged implements StagingListener<ListedUser> {

    private static final Logger log = LoggerFactory.getLogger(UsersPartitionAsStaged.class);
    /** Marks the end of the staged batches in the queue. */
    private static final List<? extends ListedUser> END = List.of();

    private final WriteAhead exporter;
    private final RunContext run;
    private final RunLedger ledger;
    /** Two batches waiting at most (about 10,000 users); staging waits when the writer falls behind. */
    private final BlockingQueue<List<? extends ListedUser>> batches = new ArrayBlockingQueue<>(2);
    /** False once the write is given up: later batches are not queued. */
    private volatile boolean open = true;
    /** The partition written, or null when it was given up; completed when the writer ends. */
    private final CompletableFuture<WriteAhead.Prepared> written = new CompletableFuture<>();
    /** The step completed and listed no user twice: the batches are the roster publish records. */
    private volatile boolean whole;
    private Thread writer;
    private boolean ended;

    UsersPartitionAsStaged(WriteAhead exporter, RunContext run, RunLedger ledger) {
        this.exporter = exporter;
        this.run = run;
        this.ledger = ledger;
    }

    @Override
    public synchronized void begin() {
        if (writer != null || ended) {
            return;
        }
        writer = new Thread(this::write, "parquet-as-staged-" + run.networkId());
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void committed(StagedRows rows, List<? extends ListedUser> items) {
        if (!open || items.isEmpty()) {
            return; // given up already
        }
        try {
            batches.put(items);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void end(boolean whole) {
        synchronized (this) {
            if (ended) {
                return; // told already: by the step's end, or by abandon()
            }
            ended = true;
            this.whole = whole;
            if (writer == null) {
                written.complete(null);
                return;
            }
        }
        if (open) {
            try {
                batches.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                writer.interrupt();
            }
        }
    }

    /** Waits for the writer: the partition, or null if it was given up (then nothing of it is left). */
    WriteAhead.Prepared result() throws InterruptedException {
        try {
            return written.get();
        } catch (ExecutionException e) {
            return null; // not completed exceptionally: write() completes it with null
        }
    }

    /**
     * Gives up the partition (the job ended without the Parquet step taking it): a writer still
     * writing is interrupted and waited for (up to {@link #CLOSE_WAIT_MS}), and what it wrote is
     * removed, so nothing of it outlives the job. Never blocks on the queue.
     */
    void abandon() {
        Thread w;
        synchronized (this) {
            ended = true; // a later end() is told nothing more
            w = writer;
            if (w == null) {
                written.complete(null);
            }
        }
        if (w != null && w.isAlive() && w != Thread.currentThread()) {
            w.interrupt(); // a writer waiting for a batch, or writing one, gives up
            try {
                w.join(CLOSE_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        written.thenAccept(p -> {
            if (p != null) {
                p.close();
            }
        });
    }

    /** How long {@link #abandon} waits for the writer. */
    static final long CLOSE_WAIT_MS = 30_000;

    private void write() {
        WriteAhead.Prepared prepared = null;
        WriteAhead.UsersAsListed users = null;
        String givenUp = null;
        try {
            prepared = exporter.open(run.runId(), run.networkId());
            users = exporter.usersAsListed(prepared, run.networkId(), ledger.get(run.runId()).asOf());
            for (List<? extends ListedUser> batch = batches.take(); batch != END; batch = batches.take()) {
                for (ListedUser u : batch) {
                    users.add(u);
                }
            }
            if (whole) {
                users.finish();
                written.complete(prepared);
                return;
            }
            givenUp = "the users step did not complete, or listed a user twice (the partition is then written from staging)";
        } catch (InterruptedException e) {
            givenUp = "interrupted";
        } catch (Exception | Error e) {
            givenUp = e.toString();
        }
        open = false;
        batches.clear(); // a staging thread waiting to put is let go; later batches are not queued
        log.info("the users partition is not written as staged: {}", givenUp);
        if (users != null) {
            users.abandon();
        }
        if (prepared != null) {
            prepared.close();
        }
        written.complete(null);
    }
}
