package io.wickrcensus.job.ahead;

import java.time.Instant;
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
import io.wickrcensus.job.steps.DirectoryUnameResolver;
import io.wickrcensus.job.steps.KeySet;
import io.wickrcensus.job.steps.StagedRows;
import io.wickrcensus.job.steps.StagingListener;
import io.wickrcensus.job.steps.UnameBacklog;
import io.wickrcensus.job.steps.UnameResolver;
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
 *
 * <p>It listens to the staging steps ({@link StagingListener}) and is the uname step's
 * {@link UnameBacklog}. All its state is guarded by its own lock.
 */
public class UnameHeadStart implements StagingListener<Object>, UnameBacklog, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UnameHeadStart.class);
    /** The staged users' table: the rows {@link UnameResolver#unknownChanged} reads. */
    private static final String USERS = "census.stage_user";
    /** Unknown unames waiting for a call, at most; beyond it the staged rows wait to be read. */
    static final int MAX_QUEUED = 20_000;
    /** Guest hashes recur across billing periods staged at once; remembered to ask once (bounded). */
    static final int MAX_REMEMBERED = 200_000;

    private final UnameResolver resolver;
    private final ExecutorService workers;
    private final int concurrency;

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
     * snapshot ({@link #firstSight}); beyond it every read is filtered in the database.
     */
    static final int MAX_FIRST_SIGHT = 2_000_000;

    private final RunContext run;
    /** Per slice, the seq its offers reached (contiguous from 0, else {@link #gap}). */
    private final Map<Slice, Long> offeredTo = new HashMap<>();
    private boolean gap;
    private final Deque<StagedRows> offered = new ArrayDeque<>();
    private final Deque<String> unknown = new ArrayDeque<>();
    private final Set<String> seen = new HashSet<>();
    /** Answers of calls made, not recorded yet. */
    private final List<UnameResolver.Answers> answered = new ArrayList<>();
    private boolean filtering;
    private boolean recording;
    /** Whether the network knew no uname when the first rows were read; null until then. */
    private Boolean knewNone;
    /** When the network was found to know no uname ({@link UnameResolver#knowsNoneAt}), else null. */
    private Instant knewNoneAt;
    /**
     * On a network that knew no uname when the first rows were read: the unames read since,
     * as hashes. A uname not among them was never read, so never looked up by this job
     * execution: it is unknown without asking the directory, which then probes only the
     * unames read before (or sharing a hash with one), as usual. A launch of the same network
     * for another date at the same time may have looked it up; that costs a call again,
     * never a uname missed. Null: every read is filtered in the database. Used by one read at a time.
     */
    private KeySet firstSight;
    /**
     * On a later snapshot (the users step lists the users that changed): only the listed users'
     * rows are read, in proportion to what changed; the unchanged users' unames are known as long
     * as the roster they belong to is known to be ({@link UnameResolver#unchangedKnownSince}), else
     * the uname step reads the whole snapshot once for those grown stale. Decided at the first read of staged
     * users (the users step has begun its list by then; guests may come first); null until then.
     */
    private Boolean changedOnly;
    private int inFlight;
    private boolean closed;
    private long failures;
    private long calls;

    private boolean busy() {
        return filtering || recording || inFlight > 0;
    }

    /** The unames the answers waiting to be recorded answer. */
    private int answeredUnames() {
        return answered.stream().mapToInt(UnameResolver.Answers::unames).sum();
    }

    /** Takes the answers waiting to be recorded. */
    private List<UnameResolver.Answers> takeAnswered() {
        List<UnameResolver.Answers> out = List.copyOf(answered);
        answered.clear();
        return out;
    }

    public UnameHeadStart(RunContext run, UnameResolver resolver, ExecutorService workers, int concurrency) {
        this.run = run;
        this.resolver = resolver;
        this.workers = workers;
        this.concurrency = concurrency;
    }

    /**
     * Queues rows a staging step has just committed; never blocks the caller. Rows continuing the
     * last ones queued of the same slice join them, so the queue holds about one entry per slice.
     */
    @Override
    public synchronized void committed(StagedRows rows, List<?> items) {
        if (rows.count() <= 0 || closed) {
            return;
        }
        Slice slice = new Slice(rows.table(), rows.sliceValues());
        Long reached = offeredTo.put(slice, rows.to());
        if (rows.from() != (reached == null ? 0 : reached)) {
            gap = true; // rows the head start never saw: the uname step reads the whole snapshot
        }
        if (firstSight != null && !filtering && offered.isEmpty() && unknown.size() < MAX_QUEUED && rows.unameOf() != null
                && items.size() == rows.count()) {
            // on a first snapshot, with nothing waiting: the unames from the items the rows were staged from,
            // instead of reading them back (what waits stays a range: only an idle head start takes them)
            Set<String> unames = new LinkedHashSet<>();
            for (Object item : items) {
                String u = rows.unameOf().apply(item);
                if (u != null) {
                    unames.add(u);
                }
            }
            List<String> read = List.copyOf(unames);
            filtering = true;
            workers.execute(() -> work(() -> queueUnknown(rows, firstSightUnknown(read)), Task.FILTER));
            pump();
            return;
        }
        StagedRows last = offered.peekLast();
        if (last != null && last.continuedBy(rows)) {
            offered.pollLast();
            offered.add(last.withTo(rows.to()));
        } else {
            offered.add(rows);
        }
        pump();
    }

    /**
     * Reads and filters offered rows (one query at a time), sends the unknown unames in full calls
     * of 50 only (a remainder waits for more, or for the uname step, which packs it with the rest, so
     * the early lookups never add a call), and records the answers {@link #RECORD_BATCH} unames at a
     * time, or as soon as no call is under way (one record at a time). Holds the lock.
     */
    private void pump() {
        if (closed) {
            return;
        }
        if (!filtering && !offered.isEmpty() && unknown.size() < MAX_QUEUED) {
            StagedRows rows = nextBatch();
            filtering = true;
            workers.execute(() -> work(() -> queueUnknown(rows, unknownOf(rows)), Task.FILTER));
        }
        while (inFlight < concurrency && unknown.size() >= DirectoryUnameResolver.CHUNK) {
            List<String> chunk = take(unknown, DirectoryUnameResolver.CHUNK);
            inFlight++;
            calls++;
            workers.execute(() -> work(() -> {
                UnameResolver.Answers a = resolver.lookUpOnThisThread(run, chunk);
                synchronized (this) {
                    answered.add(a);
                }
            }, Task.CALL));
        }
        if (!recording && !answered.isEmpty() && (inFlight == 0 || answeredUnames() >= RECORD_BATCH)) {
            List<UnameResolver.Answers> answers = takeAnswered();
            recording = true;
            workers.execute(() -> work(() -> record(answers), Task.RECORD));
        }
    }

    private void record(List<UnameResolver.Answers> answers) throws Exception {
        resolver.record(run, answers);
        CrashPoints.reach("unames.early");
    }

    /**
     * The unknown unames of {@code rows}: filtered in the database, or on a network's first
     * snapshot ({@link #firstSight}) read as they are and only those read before probed. One read
     * at a time (the filter task, or the drain once no task is under way).
     */
    private List<String> unknownOf(StagedRows rows) {
        if (knewNone == null) {
            knewNone = false; // asked once: a failed question filters every read in the database
            knewNoneAt = resolver.knowsNoneAt(run);
            knewNone = knewNoneAt != null;
            firstSight = knewNone ? new KeySet() : null;
        }
        KeySet sight = firstSight;
        if (sight == null) {
            if (!rows.table().equals(USERS)) {
                return resolver.unknown(run, rows);
            }
            if (changedOnly == null) {
                changedOnly = false; // asked once, as knewNone
                changedOnly = !knewNone && resolver.listsChanges(run);
            }
            return changedOnly ? resolver.unknownChanged(run, rows) : resolver.unknown(run, rows);
        }
        return firstSightUnknown(resolver.staged(run, rows));
    }

    /**
     * On a network's first snapshot, the unknown unames among {@code unames} (no duplicates): those
     * never read before by this job execution, and of the others those the directory does not know.
     * One read at a time, as {@link #unknownOf}.
     */
    private List<String> firstSightUnknown(List<String> unames) {
        KeySet sight = firstSight;
        if (sight == null) {
            return unames.isEmpty() ? List.of() : resolver.unknownOf(run, unames); // grown past MAX_FIRST_SIGHT since
        }
        List<String> unknownHere = new ArrayList<>();
        List<String> readBefore = new ArrayList<>();
        for (String u : unames) {
            (sight.add(u) ? unknownHere : readBefore).add(u);
        }
        if (!readBefore.isEmpty()) {
            unknownHere.addAll(resolver.unknownOf(run, readBefore));
        }
        if (sight.size() > MAX_FIRST_SIGHT) {
            firstSight = null;
        }
        return unknownHere;
    }

    /** The next offered rows to read, at most {@link #FILTER_BATCH}. Holds the lock. */
    private StagedRows nextBatch() {
        StagedRows head = offered.poll();
        if (head.count() <= FILTER_BATCH) {
            return head;
        }
        StagedRows batch = head.withTo(head.from() + FILTER_BATCH);
        offered.addFirst(head.withFrom(batch.to()));
        return batch;
    }

    /** Queues the unknown unames read from {@code rows} for a call. */
    private synchronized void queueUnknown(StagedRows rows, List<String> unknownHere) {
        for (String u : unknownHere) {
            // guest hashes recur across the periods staged side by side: each is asked once
            if (!rows.recurring() || (seen.size() < MAX_REMEMBERED ? seen.add(u) : !seen.contains(u))) {
                unknown.add(u);
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

    private void work(Work w, Task task) {
        try {
            w.run();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // the uname step looks these up again, and fails properly if the service keeps failing
            synchronized (this) {
                failures++;
            }
            log.debug("early uname lookup failed, left to the uname step: {}", e.getMessage());
        } finally {
            synchronized (this) {
                switch (task) {
                    case FILTER -> filtering = false;
                    case CALL -> inFlight--;
                    case RECORD -> recording = false;
                }
                pump();
                notifyAll();
            }
        }
    }

    /** Ranges of staged rows waiting to be read (for tests). */
    synchronized int queuedRanges() {
        return offered.size();
    }

    /**
     * Stops the early lookups and waits for those under way; what is still queued is left to the
     * uname step, which {@link Leftover#covers} tells whether to read the whole snapshot again.
     */
    @Override
    public synchronized Leftover drain() {
        closed = true; // no new query or call starts; the ones under way finish
        if (offeredTo.isEmpty()) {
            return new Leftover(List.of(), Map.of(), true, null, false); // nothing was offered
        }
        while (busy()) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Leftover(List.of(), Map.of(), false, null, false);
            }
        }
        // answers of the last calls are recorded first, so that the rows read below do not count them unknown
        if (!answered.isEmpty()) {
            try {
                record(takeAnswered());
            } catch (Exception e) {
                failures++;
                log.debug("recording early lookups failed, left to the uname step: {}", e.getMessage());
            }
        }
        // the rows not read yet are read now (no calls are sent any more), as long as what is left
        // to look up stays small enough to hand over; beyond that the uname step reads the snapshot
        while (!offered.isEmpty() && unknown.size() < MAX_QUEUED) {
            StagedRows batch = nextBatch();
            try {
                queueUnknown(batch, unknownOf(batch));
            } catch (Exception e) {
                failures++;
                log.debug("reading staged unames failed, left to the uname step: {}", e.getMessage());
                break;
            }
        }
        long rows = offered.stream().mapToLong(StagedRows::count).sum();
        List<String> left = List.copyOf(new LinkedHashSet<>(unknown));
        offered.clear();
        unknown.clear();
        log.info("network {}: {} lookup calls while staging; {} staged rows not read yet and {} unknown unames are left to the uname step"
                + (Boolean.TRUE.equals(knewNone) ? " (the network's first unames: only those read twice were looked for in the directory)" : "")
                + (Boolean.TRUE.equals(changedOnly) ? " (a later snapshot: only the users listed as changed were read)" : "")
                + (failures > 0 ? " ({} calls or queries failed)" : ""), run.networkId(), calls, rows, left.size(), failures);
        return new Leftover(left, Map.copyOf(offeredTo), failures == 0 && rows == 0 && !gap, knewNoneAt, Boolean.TRUE.equals(changedOnly));
    }

    /** Drops what is queued without waiting (the job ended: the scope closes); calls under way finish on their own. */
    @Override
    public synchronized void close() {
        closed = true;
        offered.clear();
        unknown.clear();
        answered.clear();
    }
}
