package io.wickrcensus.job.ahead;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.steps.DirectoryUnameResolver;
import io.wickrcensus.job.steps.StagedRows;
import io.wickrcensus.job.steps.UnameBacklog;
import io.wickrcensus.job.steps.UnameResolver;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UnameHeadStartTest {

    private static final RunContext RUN = new RunContext(7, "net00001");

    private final ExecutorService workers = Executors.newFixedThreadPool(4);

    /**
     * The staged row with seq {@code i} holds uname {@code "u" + i} in every slice, and every uname is
     * unknown; each resolve is recorded, and may be held back by a latch.
     */
    private static final class FakeResolver implements UnameResolver {
        final List<List<String>> calls = new CopyOnWriteArrayList<>();
        /** The unames of each record, in the order recorded. */
        final List<List<String>> recorded = new CopyOnWriteArrayList<>();
        volatile boolean failRecords;
        /** The network knows no uname ({@link UnameResolver#knowsNoneAt}), since this time. */
        static final java.time.Instant KNEW_NONE_AT = java.time.Instant.parse("2026-11-20T01:02:03Z");
        volatile boolean knowsNone;
        /** The ranges read unfiltered, and the unames probed, on a first snapshot. */
        final List<StagedRows> read = new CopyOnWriteArrayList<>();
        final List<List<String>> probed = new CopyOnWriteArrayList<>();
        /** Unames the probe says are known. */
        final java.util.Set<String> known = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final List<StagedRows> filtered = new CopyOnWriteArrayList<>();
        volatile CountDownLatch hold;
        /** Holds back the reads of staged rows while it is not counted down. */
        volatile CountDownLatch holdReads;
        /** The read of staged rows from this seq fails. */
        volatile long failReadFrom = -1;
        final CountDownLatch entered = new CountDownLatch(1);
        /** Calls begun. */
        final java.util.concurrent.atomic.AtomicInteger begun = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public List<String> unknown(RunContext run, StagedRows rows) {
            CountDownLatch h = holdReads;
            if (h != null) {
                try {
                    h.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            if (rows.from() == failReadFrom) {
                throw new IllegalStateException("the database went away");
            }
            filtered.add(rows);
            return unames((int) rows.from(), (int) rows.count());
        }

        @Override
        public java.time.Instant knowsNoneAt(RunContext run) {
            return knowsNone ? KNEW_NONE_AT : null;
        }

        /** The users step lists the users that changed ({@link UnameResolver#listsChanges}). */
        volatile boolean listsChanges;
        /** The ranges of staged users read through the list of changed users. */
        final List<StagedRows> changedRead = new CopyOnWriteArrayList<>();

        @Override
        public boolean listsChanges(RunContext run) {
            return listsChanges;
        }

        /** Every tenth staged user is listed as changed. */
        @Override
        public List<String> unknownChanged(RunContext run, StagedRows rows) {
            changedRead.add(rows);
            return unames((int) rows.from(), (int) rows.count()).stream().filter(u -> Integer.parseInt(u.substring(1)) % 10 == 0).toList();
        }

        @Override
        public List<String> staged(RunContext run, StagedRows rows) {
            read.add(rows);
            return rows.table().equals("census.stage_guest") ? unames(0, (int) rows.count()) : unames((int) rows.from(), (int) rows.count());
        }

        /** Holds back the probes of unames read before while it is not counted down. */
        volatile CountDownLatch holdProbes;
        volatile boolean probing;

        @Override
        public List<String> unknownOf(RunContext run, List<String> unames) {
            probed.add(unames);
            CountDownLatch h = holdProbes;
            if (h != null) {
                probing = true;
                try {
                    h.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return unames.stream().filter(u -> !known.contains(u)).toList();
        }

        @Override
        public ItemStreamReader<String> unknownInSnapshot(RunContext run) {
            throw new AssertionError("the head start reads offered rows only");
        }

        @Override
        public Calls submit(RunContext run, List<String> unames) {
            throw new AssertionError("the head start calls on its own workers");
        }

        @Override
        public void record(RunContext run, Calls calls) {
            throw new AssertionError("the head start records answers it waited for itself");
        }

        @Override
        public Answers lookUpOnThisThread(RunContext run, List<String> unames) throws Exception {
            entered.countDown();
            begun.incrementAndGet();
            CountDownLatch h = hold;
            if (h != null) {
                h.await(5, TimeUnit.SECONDS);
            }
            calls.add(unames);
            return new Asked(unames);
        }

        @Override
        public void record(RunContext run, List<Answers> answers) {
            if (failRecords) {
                throw new IllegalStateException("the database went away");
            }
            recorded.add(answers.stream().flatMap(a -> ((Asked) a).asked().stream()).toList());
        }
    }

    private record Asked(List<String> asked) implements UnameResolver.Answers {
        @Override
        public int unames() {
            return asked.size();
        }
    }

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    private static List<String> unames(int from, int n) {
        return IntStream.range(from, from + n).mapToObj(i -> "u" + i).toList();
    }

    private static StagedRows users(long from, long n) {
        return new StagedRows("census.stage_user", "uname", List.of("run_id"), List.of(RUN.runId()), from, from + n, false);
    }

    private static StagedRows guests(String period, long from, long n) {
        return new StagedRows("census.stage_guest", "username_hash", List.of("run_id", "billing_period"), List.of(RUN.runId(), period),
                from, from + n, true);
    }

    private static final UnameBacklog.Slice USERS = new UnameBacklog.Slice("census.stage_user", List.of(RUN.runId()));

    /**
     * Only full calls are sent; what no call took yet is handed over to the uname step, and the
     * drain knows it read every row of the slices offered.
     */
    @Test
    void onlyFullCallsOfFiftyAreSentAndTheRemainderIsHandedToTheUnameStep() throws Exception {
        FakeResolver resolver = new FakeResolver();
        UnameHeadStart headStart = new UnameHeadStart(RUN, resolver, workers, 2);
        headStart.committed(users(0, 70), List.of());
        headStart.committed(users(70, 50), List.of());
        waitFor(() -> resolver.calls.size() == 2);
        UnameBacklog.Leftover left = headStart.drain();

        assertThat(resolver.calls).hasSize(2).allSatisfy(c -> assertThat(c).hasSize(50));
        assertThat(resolver.calls.stream().flatMap(List::stream).distinct().count()).isEqualTo(100);
        assertThat(left.unknown()).isEqualTo(unames(100, 20));
        assertThat(left.covers(java.util.Map.of(USERS, 120L))).isTrue();
        assertThat(left.covers(java.util.Map.of(USERS, 121L))).as("a row staged and never offered").isFalse();
        assertThat(left.covers(java.util.Map.of(USERS, 120L, new UnameBacklog.Slice("census.stage_guest", List.of(RUN.runId(), "2026-11")),
                10L))).as("a slice never offered (staged by an earlier process)").isFalse();
    }

    @Test
    void recurringUnamesAreAskedOnce() throws Exception {
        FakeResolver resolver = new FakeResolver();
        UnameHeadStart headStart = new UnameHeadStart(RUN, resolver, workers, 2);
        headStart.committed(guests("2026-10", 0, 50), List.of());
        headStart.committed(guests("2026-11", 0, 50), List.of()); // the same guests in the next billing period
        waitFor(() -> resolver.filtered.size() == 2);
        waitFor(() -> resolver.calls.size() == 1);
        headStart.drain();

        assertThat(resolver.calls).hasSize(1);
    }

    /**
     * Paging far ahead of the lookups (a million users at no latency) queues ranges, never unames:
     * once the lookups catch up, every staged row has been read, in reads of bounded size.
     */
    @Test
    void noOfferIsTurnedAwayHoweverFarPagingRunsAhead() throws Exception {
        FakeResolver resolver = new FakeResolver();
        resolver.hold = new CountDownLatch(1);
        UnameHeadStart headStart = new UnameHeadStart(RUN, resolver, workers, 2);
        int rows = 10 * UnameHeadStart.MAX_QUEUED;
        for (int from = 0; from < rows; from += 100) {
            headStart.committed(users(from, 100), List.of()); // 100 rows a page, committed one after the other
        }
        assertThat(headStart.queuedRanges()).as("consecutive rows of one slice wait as one range").isLessThanOrEqualTo(1);
        resolver.hold.countDown();
        waitFor(() -> resolver.calls.size() == rows / DirectoryUnameResolver.CHUNK);
        headStart.drain();

        assertThat(resolver.calls.stream().flatMap(List::stream).distinct().count()).isEqualTo(rows);
        assertThat(resolver.filtered).allSatisfy(r -> assertThat(r.count()).isLessThanOrEqualTo(UnameHeadStart.FILTER_BATCH));
        assertThat(resolver.filtered.stream().mapToLong(StagedRows::count).sum()).isEqualTo(rows);
    }

    @Test
    void drainWaitsForTheCallsUnderWay() throws Exception {
        FakeResolver resolver = new FakeResolver();
        resolver.hold = new CountDownLatch(1);
        UnameHeadStart headStart = new UnameHeadStart(RUN, resolver, workers, 2);
        headStart.committed(users(0, 50), List.of());
        assertThat(resolver.entered.await(5, TimeUnit.SECONDS)).as("the call is under way, held by the latch").isTrue();

        AtomicBoolean drained = new AtomicBoolean();
        Thread drainer = new Thread(() -> {
            headStart.drain();
            drained.set(true);
        });
        drainer.start();
        waitFor(() -> drainer.getState() == Thread.State.WAITING || drainer.getState() == Thread.State.TIMED_WAITING);
        assertThat(drained).as("drain waits (it is blocked) until the call has been recorded").isFalse();
        resolver.hold.countDown();
        drainer.join(2000);
        assertThat(drained).isTrue();
        assertThat(resolver.calls).hasSize(1);
    }

    /**
     * Answers wait to be recorded together, {@link UnameHeadStart#RECORD_BATCH} unames at a time or
     * once no call is under way: eight calls answered at once are one record (answers that come
     * in while one is being recorded wait for the next); every answer is recorded, once, by the
     * time the drain returns.
     */
    @Test
    void answersAreRecordedManyCallsAtATime() throws Exception {
        FakeResolver resolver = new FakeResolver();
        resolver.hold = new CountDownLatch(1);
        ExecutorService many = Executors.newFixedThreadPool(10); // eight calls, a read and a record at once
        try {
            answersRecordedTogether(resolver, new UnameHeadStart(RUN, resolver, many, 8));
        } finally {
            many.shutdownNow();
        }
    }

    private void answersRecordedTogether(FakeResolver resolver, UnameHeadStart headStart) throws Exception {
        headStart.committed(users(0, 400), List.of());
        waitFor(() -> resolver.begun.get() == 8); // all eight under way, held
        resolver.hold.countDown();
        waitFor(() -> resolver.calls.size() == 8);
        headStart.committed(users(400, 5000), List.of());
        waitFor(() -> resolver.calls.size() == 108);
        UnameBacklog.Leftover left = headStart.drain();

        assertThat(resolver.recorded.get(0)).as("the eight held calls, recorded together").hasSize(400);
        assertThat(resolver.recorded.stream().flatMap(List::stream).sorted().toList())
                .isEqualTo(resolver.calls.stream().flatMap(List::stream).sorted().toList()).hasSize(5400);
        assertThat(resolver.recorded.size()).isLessThan(resolver.calls.size());
        assertThat(left.covers(java.util.Map.of(USERS, 5400L))).isTrue();
    }

    /**
     * On a network's first snapshot the staged rows are read without the directory's probes: a
     * uname never read before is unknown, and only the ones read before are probed (here the
     * guests' hashes, which the fake makes the same as the users' unames u0..u99).
     */
    @Test
    void aFirstSnapshotProbesOnlyTheUnamesReadBefore() throws Exception {
        FakeResolver resolver = new FakeResolver();
        resolver.knowsNone = true;
        resolver.known.addAll(unames(0, 50)); // answered by now, but for u50..u59
        resolver.known.addAll(unames(60, 40));
        UnameHeadStart headStart = new UnameHeadStart(RUN, resolver, workers, 2);
        headStart.committed(users(0, 100), List.of());
        headStart.committed(users(100, 100), List.of());
        waitFor(() -> resolver.calls.size() == 4);
        headStart.committed(guests("2026-11", 0, 100), List.of());
        waitFor(() -> resolver.read.stream().anyMatch(r -> r.table().equals("census.stage_guest")));
        UnameBacklog.Leftover left = headStart.drain();

        assertThat(resolver.filtered).as("nothing filtered in the database").isEmpty();
        assertThat(resolver.probed).containsExactly(unames(0, 100));
        assertThat(resolver.calls.stream().flatMap(List::stream).sorted().toList()).isEqualTo(unames(0, 200).stream().sorted().toList());
        assertThat(left.unknown()).as("u50..u59 probed unknown again (asked, but not answered): less than a call, handed over")
                .isEqualTo(unames(50, 10));
        assertThat(left.covers(java.util.Map.of(USERS, 200L, new UnameBacklog.Slice("census.stage_guest", List.of(RUN.runId(), "2026-11")),
                100L))).isTrue();
        assertThat(left.knewNoneAt()).as("when the network was found to know none: every answer it has came later")
                .isEqualTo(FakeResolver.KNEW_NONE_AT);
        assertThat(left.changedOnly()).isFalse();
    }

    /** Staged users whose items are their unames (u{from}..), which the head start may take instead of reading the rows back. */
    private static StagedRows usersFromItems(long from, long n) {
        return new StagedRows("census.stage_user", "uname", List.of("run_id"), List.of(RUN.runId()), from, from + n, false, o -> (String) o);
    }

    /**
     * On a first snapshot, a head start with nothing waiting takes the unames of a committed batch
     * from the items it was staged from, not from the database; whatever arrives while it is busy
     * waits as a range and is read back. Either way each uname is asked once and the drain covers
     * every row.
     */
    @Test
    void aFirstSnapshotTakesTheUnamesFromTheItemsWhenIdle() throws Exception {
        FakeResolver resolver = new FakeResolver();
        resolver.knowsNone = true;
        UnameHeadStart headStart = new UnameHeadStart(RUN, resolver, workers, 2);
        headStart.committed(usersFromItems(0, 100), unames(0, 100)); // the first read decides the first snapshot
        waitFor(() -> resolver.calls.size() == 2); // sent once the first read's task had ended
        assertThat(resolver.read).hasSize(1);
        headStart.committed(usersFromItems(100, 100), unames(100, 100));
        waitFor(() -> resolver.calls.size() == 4);
        assertThat(resolver.read).as("taken from the items").hasSize(1);

        resolver.known.add("u5"); // answered by now
        CountDownLatch busy = new CountDownLatch(1);
        resolver.holdProbes = busy;
        headStart.committed(usersFromItems(200, 100), java.util.stream.Stream.concat(unames(200, 99).stream(), Stream.of("u5")).toList());
        waitFor(() -> resolver.probing);
        headStart.committed(usersFromItems(300, 100), unames(300, 100)); // while the probe of u5 (read before) is under way
        busy.countDown();
        UnameBacklog.Leftover left = headStart.drain();
        assertThat(resolver.read).as("the batch that came while busy, read back").hasSize(2)
                .last().satisfies(r -> assertThat(r.from()).isEqualTo(300));
        assertThat(resolver.probed).containsExactly(List.of("u5"));
        List<String> asked = java.util.stream.Stream.concat(resolver.calls.stream().flatMap(List::stream), left.unknown().stream()).toList();
        assertThat(asked).as("each staged uname once (the third batch had u5 where u299 would be)").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(unames(0, 400).stream().filter(u -> !u.equals("u299")).toList());
        assertThat(left.covers(java.util.Map.of(USERS, 400L))).isTrue();
    }

    /** A network that knows unames has every read filtered in the database. */
    @Test
    void aLaterSnapshotFiltersEveryReadInTheDatabase() throws Exception {
        FakeResolver resolver = new FakeResolver();
        UnameHeadStart headStart = new UnameHeadStart(RUN, resolver, workers, 2);
        headStart.committed(users(0, 100), List.of());
        waitFor(() -> resolver.calls.size() == 2);
        headStart.drain();
        assertThat(resolver.filtered).hasSize(1);
        assertThat(resolver.read).isEmpty();
        assertThat(resolver.probed).isEmpty();
    }

    /**
     * On a later snapshot whose users step lists the users that changed, only their rows are read
     * (guests as before), and the drain says so: it covers the staged rows but for the unchanged
     * users' unames, which the uname step takes as known only while their roster is.
     */
    @Test
    void aLaterSnapshotReadsOnlyTheUsersListedAsChanged() throws Exception {
        FakeResolver resolver = new FakeResolver();
        resolver.listsChanges = true;
        UnameHeadStart headStart = new UnameHeadStart(RUN, resolver, workers, 2);
        headStart.committed(users(0, 1000), List.of());
        headStart.committed(guests("2026-11", 0, 10), List.of());
        waitFor(() -> resolver.calls.size() == 2);
        UnameBacklog.Leftover left = headStart.drain();
        assertThat(resolver.changedRead).isNotEmpty().allSatisfy(r -> assertThat(r.table()).isEqualTo("census.stage_user"));
        assertThat(resolver.filtered).as("the guests, filtered as before").singleElement()
                .satisfies(r -> assertThat(r.table()).isEqualTo("census.stage_guest"));
        assertThat(resolver.calls.stream().flatMap(List::stream).filter(u -> Integer.parseInt(u.substring(1)) % 10 != 0).toList())
                .as("besides the changed users' unames, only the guests'").allSatisfy(u -> assertThat(Integer.parseInt(u.substring(1))).isLessThan(10));
        assertThat(left.covers(java.util.Map.of(USERS, 1000L, new UnameBacklog.Slice("census.stage_guest", List.of(RUN.runId(), "2026-11")),
                10L))).isTrue();
        assertThat(left.changedOnly()).isTrue();
        assertThat(left.knewNoneAt()).as("the network knew unames").isNull();
    }

    /** Answers that could not be recorded are lost, and the drain says it covers nothing: the uname step reads the snapshot. */
    @Test
    void aFailedRecordCoversNothing() throws Exception {
        FakeResolver resolver = new FakeResolver();
        resolver.failRecords = true;
        UnameHeadStart headStart = new UnameHeadStart(RUN, resolver, workers, 2);
        headStart.committed(users(0, 100), List.of());
        waitFor(() -> resolver.calls.size() == 2);
        assertThat(headStart.drain().covers(java.util.Map.of(USERS, 100L))).isFalse();
    }

    @Test
    void closeDropsWhatIsQueuedAndLaterOffersAreIgnored() throws Exception {
        FakeResolver resolver = new FakeResolver();
        resolver.hold = new CountDownLatch(1);
        UnameHeadStart headStart = new UnameHeadStart(RUN, resolver, workers, 1);
        headStart.committed(users(0, 150), List.of()); // one call under way (held), two full calls queued
        assertThat(resolver.entered.await(5, TimeUnit.SECONDS)).isTrue();
        headStart.close();
        headStart.committed(users(150, 100), List.of());
        resolver.hold.countDown();
        workers.shutdown(); // every task given to the workers has ended once this returns
        assertThat(workers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();

        assertThat(resolver.calls).as("only the call already under way").hasSize(1);
    }

    /** Rows still waiting to be read when staging ends are read by the drain, and left to the uname step to look up. */
    @Test
    void aDrainReadsTheRowsNotReadYet() throws Exception {
        FakeResolver resolver = new FakeResolver();
        resolver.holdReads = new CountDownLatch(1);
        UnameHeadStart headStart = new UnameHeadStart(RUN, resolver, workers, 2);
        headStart.committed(users(0, 100), List.of()); // its read is held back
        headStart.committed(users(100, 5000), List.of()); // waits to be read
        java.util.concurrent.atomic.AtomicReference<UnameBacklog.Leftover> drained = new java.util.concurrent.atomic.AtomicReference<>();
        Thread drainer = new Thread(() -> drained.set(headStart.drain()));
        drainer.start();
        waitFor(() -> drainer.getState() == Thread.State.WAITING); // the drain waits for the read under way
        resolver.holdReads.countDown();
        drainer.join(5000);
        UnameBacklog.Leftover left = drained.get();

        assertThat(resolver.calls).as("no call is sent once the drain began").isEmpty();
        assertThat(left.unknown()).hasSize(5100).doesNotHaveDuplicates();
        assertThat(left.covers(java.util.Map.of(USERS, 5100L))).isTrue();
    }

    @Test
    void offersThatDoNotStartAtTheSlicesFirstRowOrLeaveAGapCoverNothing() throws Exception {
        UnameHeadStart late = new UnameHeadStart(RUN, new FakeResolver(), workers, 2);
        late.committed(users(10, 50), List.of()); // the rows before were staged by a process that died
        assertThat(late.drain().covers(java.util.Map.of(USERS, 60L))).isFalse();

        UnameHeadStart gap = new UnameHeadStart(RUN, new FakeResolver(), workers, 2);
        gap.committed(users(0, 50), List.of());
        gap.committed(users(60, 50), List.of());
        assertThat(gap.drain().covers(java.util.Map.of(USERS, 110L))).isFalse();
    }

    @Test
    void aFailedReadCoversNothing() throws Exception {
        FakeResolver resolver = new FakeResolver();
        resolver.failReadFrom = 2000;
        UnameHeadStart headStart = new UnameHeadStart(RUN, resolver, workers, 2);
        headStart.committed(users(0, 3000), List.of());
        UnameBacklog.Leftover left = headStart.drain();
        assertThat(left.covers(java.util.Map.of(USERS, 3000L))).isFalse();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        assertThat(io.wickrcensus.testing.Await.until(java.time.Duration.ofSeconds(5), condition::getAsBoolean))
                .as("condition reached within 5 s").isTrue();
    }
}
