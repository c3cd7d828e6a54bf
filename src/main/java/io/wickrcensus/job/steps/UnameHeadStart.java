package io.wickrcensus.job.steps;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 * restartable. When the head start has provably read every staged row ({@link Leftover#covers}),
 * the uname step looks up only what it hands over instead of reading the whole snapshot again.
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
    /**
     * Answers are recorded once this many unames are answered (or no call is under way): one
     * statement and one commit for twenty calls, where one each per call cost the database a
     * fifth more CPU per uname recorded and a commit's wait each.
     */
    static final int RECORD_BATCH = 1000;
    /**
     * Unames seen at most, as hashes (16 MB at 1,000,000, see {@link KeySet}), on a network's first
     * snapshot ({@link RunQueue#firstSight}); beyond it every read is filtered in the database.
     */
    static final int MAX_FIRST_SIGHT = 2_000_000;

    /** A staging slice: its table and the values of its slice columns (the run, the billing period). */
    public record Slice(String table, List<Object> values) {
    }

    /**
     * What a drain leaves the uname step: the unknown unames read and not looked up yet, the slices
     * offered with the seq each one's offers reached, and whether that is all there is: no query
     * or call failed, every offered row was read, and every slice's offers ran from seq 0 without a
     * gap (a staging step of this job execution, which stages its slice afresh, offered each of its
     * commits).
     */
    public record Leftover(List<String> unknown, Map<Slice, Long> offeredTo, boolean complete) {
        /**
         * Whether every row of the staged slices given (each one's last seq + 1) was read and
         * filtered here, so that {@link #unknown} is all the snapshot still has to look up.
         */
        public boolean covers(Map<Slice, Long> staged) {
            return complete && offeredTo.equals(staged);
        }
    }

    private static final class RunQueue {
        final RunContext run;
        /** Per slice, the seq its offers reached (contiguous from 0, else {@link #gap}). */
        final Map<Slice, Long> offeredTo = new HashMap<>();
        boolean gap;
        final Deque<StagedRows> offered = new ArrayDeque<>();
        final Deque<String> unknown = new ArrayDeque<>();
        final Set<String> seen = new HashSet<>();
        /** Answers of calls made, not recorded yet. */
        final List<UnameResolver.Answers> answered = new ArrayList<>();
        boolean filtering;
        boolean recording;
        /** Whether the network knew no uname when the first rows were read; null until then. */
        Boolean knewNone;
        /**
         * On a network that knew no uname when the first rows were read: the unames read since,
         * as hashes. A uname not among them was never read, so never looked up by this job
         * execution: it is unknown without asking the directory, which then probes only the
         * unames read before (or sharing a hash with one), as usual. A launch of the same network
         * for another date at the same time may have looked it up; that costs a call again,
         * never a uname missed. Null: every read is filtered in the database. Used by one read at a time.
         */
        KeySet firstSight;
        int inFlight;
        boolean closed;
        long failures;
        long calls;

        RunQueue(RunContext run) {
            this.run = run;
        }

        boolean busy() {
            return filtering || recording || inFlight > 0;
        }

        /** The unames the answers waiting to be recorded answer. */
        int answeredUnames() {
            return answered.stream().mapToInt(UnameResolver.Answers::unames).sum();
        }

        /** Takes the answers waiting to be recorded. */
        List<UnameResolver.Answers> takeAnswered() {
            List<UnameResolver.Answers> out = List.copyOf(answered);
            answered.clear();
            return out;
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
            Slice slice = new Slice(rows.table(), rows.sliceValues());
            Long reached = q.offeredTo.put(slice, rows.to());
            if (rows.from() != (reached == null ? 0 : reached)) {
                q.gap = true; // rows the head start never saw: the uname step reads the whole snapshot
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
     * Reads and filters offered rows (one query at a time), sends the unknown unames in full calls
     * of 50 only (a remainder waits for more, or for the uname step, which packs it with the rest, so
     * the early lookups never add a call), and records the answers {@link #RECORD_BATCH} unames at a
     * time, or as soon as no call is under way (one record at a time). Holds q's lock.
     */
    private void pump(RunQueue q) {
        if (q.closed) {
            return;
        }
        if (!q.filtering && !q.offered.isEmpty() && q.unknown.size() < MAX_QUEUED) {
            StagedRows rows = nextBatch(q);
            q.filtering = true;
            workers.execute(() -> work(q, () -> queueUnknown(q, rows, unknown(q, rows)), Task.FILTER));
        }
        while (q.inFlight < concurrency && q.unknown.size() >= DirectoryUnameResolver.CHUNK) {
            List<String> chunk = take(q.unknown, DirectoryUnameResolver.CHUNK);
            q.inFlight++;
            q.calls++;
            workers.execute(() -> work(q, () -> {
                UnameResolver.Answers a = resolver.lookUpOnThisThread(q.run, chunk);
                synchronized (q) {
                    q.answered.add(a);
                }
            }, Task.CALL));
        }
        if (!q.recording && !q.answered.isEmpty() && (q.inFlight == 0 || q.answeredUnames() >= RECORD_BATCH)) {
            List<UnameResolver.Answers> answers = q.takeAnswered();
            q.recording = true;
            workers.execute(() -> work(q, () -> record(q, answers), Task.RECORD));
        }
    }

    private void record(RunQueue q, List<UnameResolver.Answers> answers) throws Exception {
        resolver.record(q.run, answers);
        CrashPoints.reach("unames.early");
    }

    /**
     * The unknown unames of {@code rows}: filtered in the database, or on a network's first
     * snapshot ({@link RunQueue#firstSight}) read as they are and only those read before probed.
     */
    private List<String> unknown(RunQueue q, StagedRows rows) {
        if (q.knewNone == null) {
            q.knewNone = false; // asked once: a failed question filters every read in the database
            q.knewNone = resolver.knowsNone(q.run);
            q.firstSight = q.knewNone ? new KeySet() : null;
        }
        KeySet seen = q.firstSight;
        if (seen == null) {
            return resolver.unknown(q.run, rows);
        }
        List<String> unknown = new ArrayList<>();
        List<String> readBefore = new ArrayList<>();
        for (String u : resolver.staged(q.run, rows)) {
            (seen.add(u) ? unknown : readBefore).add(u);
        }
        if (!readBefore.isEmpty()) {
            unknown.addAll(resolver.unknownOf(q.run, readBefore));
        }
        if (seen.size() > MAX_FIRST_SIGHT) {
            q.firstSight = null;
        }
        return unknown;
    }

    /** The next offered rows to read, at most {@link #FILTER_BATCH}. Holds q's lock. */
    private static StagedRows nextBatch(RunQueue q) {
        StagedRows head = q.offered.poll();
        if (head.count() <= FILTER_BATCH) {
            return head;
        }
        StagedRows batch = head.withTo(head.from() + FILTER_BATCH);
        q.offered.addFirst(head.withFrom(batch.to()));
        return batch;
    }

    /** Queues the unknown unames read from {@code rows} for a call. */
    private static void queueUnknown(RunQueue q, StagedRows rows, List<String> unknown) {
        synchronized (q) {
            for (String u : unknown) {
                // guest hashes recur across the periods staged side by side: each is asked once
                if (!rows.recurring() || (q.seen.size() < MAX_REMEMBERED ? q.seen.add(u) : !q.seen.contains(u))) {
                    q.unknown.add(u);
                }
            }
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

    /** What a worker does: read and filter staged rows, make a call, or record answers. */
    private enum Task { FILTER, CALL, RECORD }

    private void work(RunQueue q, Work w, Task task) {
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
                switch (task) {
                    case FILTER -> q.filtering = false;
                    case CALL -> q.inFlight--;
                    case RECORD -> q.recording = false;
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

    /**
     * Stops the early lookups and waits for those under way; what is still queued is left to the
     * uname step, which {@link Leftover#covers} tells whether to read the whole snapshot again.
     */
    public Leftover drain() {
        RunQueue q;
        synchronized (this) {
            q = queue;
        }
        if (q == null) {
            return new Leftover(List.of(), Map.of(), true); // nothing was offered
        }
        synchronized (q) {
            q.closed = true; // no new query or call starts; the ones under way finish
            while (q.busy()) {
                try {
                    q.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new Leftover(List.of(), Map.of(), false);
                }
            }
            // answers of the last calls are recorded first, so that the rows read below do not count them unknown
            if (!q.answered.isEmpty()) {
                try {
                    record(q, q.takeAnswered());
                } catch (Exception e) {
                    q.failures++;
                    log.debug("recording early lookups failed, left to the uname step: {}", e.getMessage());
                }
            }
            // the rows not read yet are read now (no calls are sent any more), as long as what is left
            // to look up stays small enough to hand over; beyond that the uname step reads the snapshot
            while (!q.offered.isEmpty() && q.unknown.size() < MAX_QUEUED) {
                StagedRows batch = nextBatch(q);
                try {
                    queueUnknown(q, batch, unknown(q, batch));
                } catch (Exception e) {
                    q.failures++;
                    log.debug("reading staged unames failed, left to the uname step: {}", e.getMessage());
                    break;
                }
            }
            long rows = q.offered.stream().mapToLong(StagedRows::count).sum();
            List<String> unknown = List.copyOf(new LinkedHashSet<>(q.unknown));
            q.offered.clear();
            q.unknown.clear();
            log.info("network {}: {} lookup calls while staging; {} staged rows not read yet and {} unknown unames are left to the uname step"
                    + (Boolean.TRUE.equals(q.knewNone) ? " (the network's first unames: only those read twice were looked for in the directory)" : "")
                    + (q.failures > 0 ? " ({} calls or queries failed)" : ""), q.run.networkId(), q.calls, rows, unknown.size(), q.failures);
            return new Leftover(unknown, Map.copyOf(q.offeredTo), q.failures == 0 && rows == 0 && !q.gap);
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
                q.answered.clear();
            }
        }
    }
}
