package io.wickrcensus.job.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.job.run.RunContext;
import java.util.List;
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

    /** Every candidate is unknown; each resolve is recorded, and may be held back by a latch. */
    private static final class FakeResolver implements UnameResolver {
        final List<List<String>> calls = new CopyOnWriteArrayList<>();
        final List<List<String>> filtered = new CopyOnWriteArrayList<>();
        volatile CountDownLatch hold;
        final CountDownLatch entered = new CountDownLatch(1);

        @Override
        public List<String> unknown(RunContext run, List<String> candidates) {
            filtered.add(candidates);
            return candidates.stream().distinct().toList();
        }

        @Override
        public void resolve(RunContext run, List<String> unames) {
            throw new AssertionError("the head start resolves on its own workers");
        }

        @Override
        public void resolveOnThisThread(RunContext run, List<String> unames) throws Exception {
            entered.countDown();
            CountDownLatch h = hold;
            if (h != null) {
                h.await(5, TimeUnit.SECONDS);
            }
            calls.add(unames);
        }
    }

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    private static List<String> unames(int from, int n) {
        return IntStream.range(from, from + n).mapToObj(i -> "u" + i).toList();
    }

    @Test
    void onlyFullCallsOfFiftyAreSentAndTheRemainderIsLeftToTheUnameStep() throws Exception {
        FakeResolver resolver = new FakeResolver();
        UnameHeadStart headStart = new UnameHeadStart(resolver, workers, 2);
        headStart.offer(RUN, unames(0, 70), false);
        headStart.offer(RUN, unames(70, 50), false);
        waitFor(() -> resolver.calls.size() == 2);
        headStart.drain();

        assertThat(resolver.calls).hasSize(2).allSatisfy(c -> assertThat(c).hasSize(50));
        assertThat(resolver.calls.stream().flatMap(List::stream).distinct().count()).isEqualTo(100);
    }

    @Test
    void recurringUnamesAreAskedOnceAndNullsNever() throws Exception {
        FakeResolver resolver = new FakeResolver();
        UnameHeadStart headStart = new UnameHeadStart(resolver, workers, 2);
        List<String> guests = new java.util.ArrayList<>(unames(0, 50));
        guests.add(null);
        headStart.offer(RUN, guests, true);
        headStart.offer(RUN, unames(0, 50), true); // the same guests in the next billing period
        waitFor(() -> resolver.calls.size() == 1);
        headStart.drain();

        assertThat(resolver.calls).hasSize(1);
        assertThat(resolver.filtered.stream().flatMap(List::stream)).doesNotContainNull().hasSize(50);
    }

    @Test
    void drainWaitsForTheCallsUnderWay() throws Exception {
        FakeResolver resolver = new FakeResolver();
        resolver.hold = new CountDownLatch(1);
        UnameHeadStart headStart = new UnameHeadStart(resolver, workers, 2);
        headStart.offer(RUN, unames(0, 50), false);
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

    @Test
    void closeDropsWhatIsQueuedAndLaterOffersAreIgnored() throws Exception {
        FakeResolver resolver = new FakeResolver();
        resolver.hold = new CountDownLatch(1);
        UnameHeadStart headStart = new UnameHeadStart(resolver, workers, 1);
        headStart.offer(RUN, unames(0, 150), false); // one call under way (held), two full calls queued
        assertThat(resolver.entered.await(5, TimeUnit.SECONDS)).isTrue();
        headStart.close();
        headStart.offer(RUN, unames(150, 100), false);
        resolver.hold.countDown();
        workers.shutdown(); // every task given to the workers has ended once this returns
        assertThat(workers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();

        assertThat(resolver.calls).as("only the call already under way").hasSize(1);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        assertThat(io.wickrcensus.testing.Await.until(java.time.Duration.ofSeconds(5), condition::getAsBoolean))
                .as("condition reached within 5 s").isTrue();
    }
}
