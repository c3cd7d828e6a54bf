package io.wickrcensus.job.steps;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import io.wickrcensus.faults.CrashPoints;
import io.wickrcensus.job.run.RunContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head start of uname lookups while staging pages; one per job execution (job scope). The
 * staging steps offer the rows of each batch they commit ({@link StagedRows}, a range of a slice),
 * and their unames are read back, filtered against what is known and looked up at once, a few calls
 * at a time under the budget the paging leaves, so that lookups overlap with paging instead of
 * following it. Paging may run far ahead (a million users at no latency): what waits then is a
 * range per slice, so no offer is ever turned away and memory stays flat. It is only a head start:
 * the uname step that follows {@link #drain drains} it and looks up whatever is still unknown (rows
 * not reached yet, calls that failed, lookups a crash cut short), so nothing here needs to be
 * restartable.
 */
public class UnameHeadStart implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UnameHeadStart.class);
    /** Unknown unames waiting for a call, at most; beyond it the staged rows wait to be read. */
    static final int MAX_QUEUED = 20_000;
    /** Guest hashes recur across billing periods staged at once; remembered to ask once (bounded). */
    static final int MAX_REMEMBERED = 200_000;

    private final UnameResolver resolver;
    private final ExecutorService workers;
    private final int concurrency;
    private RunQueue queue;

    /** Staged rows are read and filtered against what is known this many at a time. */
    static final int FILTER_BATCH = 2000;

    private static final class RunQueue {
        final RunContext run;
        final Deque<StagedRows> offered = new ArrayDeque<>();
        final Deque<String> unknown = new ArrayDeque<>();
        final Set<String> seen = new HashSet<>();
        boolean filtering;
        int inFlight;
        boolean closed;
        long failures;
        long calls;

        RunQueue(RunContext run) {
            this.run = run;
        }

        boolean busy() {
            return filtering || inFlight > 0;
        }
    }

    public UnameHeadStart(UnameResolver resolver, ExecutorService workers, int concurrency) {
        this.resolver = resolver;
        this.workers = workers;
        this.concurrency = concurrency;
    }

    /**
     * Queues rows a staging step has just committed; never blocks the caller. Rows continuing the
     * last ones queued of the same slice join them, so the queue holds about one entry per slice.
     */
    public void offer(RunContext run, StagedRows rows) {
        if (rows.count() <= 0) {
            return;
        }
        RunQueue q = queue(run);
        synchronized (q) {
            if (q.closed) {
                return;
            }
            StagedRows last = q.offered.peekLast();
            if (last != null && last.continuedBy(rows)) {
                q.offered.pollLast();
                q.offered.add(last.withTo(rows.to()));
            } else {
                q.offered.add(rows);
            }
            pump(q);
        }
    }

    private synchronized RunQueue queue(RunContext run) {
        if (queue == null) {
            queue = new RunQueue(run);
        }
        return queue;
    }

    /**
     * Reads and filters offered rows (one query at a time) and sends the unknown unames in full calls
     * of 50 only: a remainder waits for more, or for the uname step, which packs it with the rest, so
     * the early lookups never add a call. Holds q's lock.
     */
    private void pump(RunQueue q) {
        if (q.closed) {
            return;
        }
        if (!q.filtering && !q.offered.isEmpty() && q.unknown.size() < MAX_QUEUED) {
            StagedRows head = q.offered.poll();
            StagedRows batch = head;
            if (head.count() > FILTER_BATCH) {
                batch = head.withTo(head.from() + FILTER_BATCH);
                q.offered.addFirst(head.withFrom(batch.to()));
            }
            StagedRows rows = batch;
            q.filtering = true;
            workers.execute(() -> work(q, () -> {
                List<String> unknown = resolver.unknown(q.run, rows);
                synchronized (q) {
                    for (String u : unknown) {
                        // guest hashes recur across the periods staged side by side: each is asked once
                        if (!rows.recurring() || (q.seen.size() < MAX_REMEMBERED ? q.seen.add(u) : !q.seen.contains(u))) {
                            q.unknown.add(u);
                        }
                    }
                }
            }, true));
        }
        while (q.inFlight < concurrency && q.unknown.size() >= DirectoryUnameResolver.CHUNK) {
            List<String> chunk = take(q.unknown, DirectoryUnameResolver.CHUNK);
            q.inFlight++;
            q.calls++;
            workers.execute(() -> work(q, () -> {
                resolver.resolveOnThisThread(q.run, chunk);
                CrashPoints.reach("unames.early");
            }, false));
        }
    }

    private static List<String> take(Deque<String> from, int n) {
        List<String> out = new ArrayList<>(Math.min(n, from.size()));
        while (out.size() < n && !from.isEmpty()) {
            out.add(from.poll());
        }
        return out;
    }

    private interface Work {
        void run() throws Exception;
    }

    private void work(RunQueue q, Work w, boolean filter) {
        try {
            w.run();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // the uname step looks these up again, and fails properly if the service keeps failing
            synchronized (q) {
                q.failures++;
            }
            log.debug("early uname lookup failed, left to the uname step: {}", e.getMessage());
        } finally {
            synchronized (q) {
                if (filter) {
                    q.filtering = false;
                } else {
                    q.inFlight--;
                }
                pump(q);
                q.notifyAll();
            }
        }
    }

    /** Ranges of staged rows waiting to be read (for tests). */
    int queuedRanges() {
        RunQueue q;
        synchronized (this) {
            q = queue;
        }
        if (q == null) {
            return 0;
        }
        synchronized (q) {
            return q.offered.size();
        }
    }

    /** Stops the early lookups and waits for those under way; what is still queued is left to the uname step. */
    public void drain() {
        RunQueue q;
        synchronized (this) {
            q = queue;
        }
        if (q == null) {
            return;
        }
        synchronized (q) {
            q.closed = true;
            long rows = q.offered.stream().mapToLong(StagedRows::count).sum();
            int unknown = q.unknown.size();
            q.offered.clear();
            q.unknown.clear();
            while (q.busy()) {
                try {
                    q.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            log.info("network {}: {} lookup calls while staging; {} staged rows not read yet and {} unknown unames are left to the uname step"
                    + (q.failures > 0 ? " ({} calls or queries failed)" : ""), q.run.networkId(), q.calls, rows, unknown, q.failures);
        }
    }

    /** Drops what is queued without waiting (the job ended: the scope closes); calls under way finish on their own. */
    @Override
    public void close() {
        RunQueue q;
        synchronized (this) {
            q = queue;
        }
        if (q != null) {
            synchronized (q) {
                q.closed = true;
                q.offered.clear();
                q.unknown.clear();
            }
        }
    }
}
