package io.wickrcensus.job.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PrefetcherTest {

    @Test
    void itemsArriveInOrderAndTheEndIsSeen() throws Exception {
        try (Prefetcher<Integer> p = new Prefetcher<>("prefetch-order", IntStream.range(0, 25).boxed().toList(), 4)) {
            List<Integer> all = new java.util.ArrayList<>();
            for (List<Integer> batch = p.next(10); !batch.isEmpty(); batch = p.next(10)) {
                assertThat(batch.size()).isBetween(1, 10);
                all.addAll(batch);
            }
            assertThat(all).isEqualTo(IntStream.range(0, 25).boxed().toList());
            assertThat(p.ended()).isTrue();
        }
    }

    @Test
    void aFailureOfTheSourceIsRethrownToTheConsumerAfterTheItemsBeforeIt() throws Exception {
        Iterable<Integer> failing = () -> new Iterator<>() {
            int n;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (n == 3) {
                    throw new IllegalStateException("page 4 failed");
                }
                return n++;
            }
        };
        try (Prefetcher<Integer> p = new Prefetcher<>("prefetch-failure", failing, 100)) {
            List<Integer> got = new java.util.ArrayList<>();
            assertThatThrownBy(() -> {
                while (true) {
                    got.addAll(p.next(1));
                }
            }).isInstanceOf(IllegalStateException.class).hasMessage("page 4 failed");
            assertThat(got).containsExactly(0, 1, 2);
        }
    }

    @Test
    void closeStopsTheThreadWhileTheSourceStillHasItems() throws Exception {
        AtomicInteger produced = new AtomicInteger();
        Iterable<Integer> endless = () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                return produced.incrementAndGet();
            }
        };
        Prefetcher<Integer> p = new Prefetcher<>("prefetch-close-test", endless, 8);
        assertThat(p.next(3)).isNotEmpty();
        p.close();
        Thread t = thread("prefetch-close-test");
        if (t != null) {
            t.join(TimeUnit.SECONDS.toMillis(2));
            assertThat(t.isAlive()).as("the prefetch thread ends on close").isFalse();
        }
        assertThat(PrefetcherTest.thread("prefetch-close-test")).as("no thread is left to read").isNull();
    }

    /** A source busy in a call when the step closes: close returns once the reading thread has ended, not before. */
    @Test
    void closeWaitsForTheReadingThreadToEnd() throws Exception {
        java.util.concurrent.CountDownLatch inCall = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean callEnded = new java.util.concurrent.atomic.AtomicBoolean();
        Iterable<Integer> slow = () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                inCall.countDown();
                try {
                    new java.util.concurrent.CountDownLatch(1).await(); // a page under way, until interrupted
                } catch (InterruptedException e) {
                    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait(); // the call takes a while to give up
                    }
                    callEnded.set(true);
                    Thread.currentThread().interrupt();
                }
                return 1;
            }
        };
        Prefetcher<Integer> p = new Prefetcher<>("prefetch-join-test", slow, 8);
        assertThat(inCall.await(5, TimeUnit.SECONDS)).isTrue();
        p.close();
        assertThat(callEnded).as("the call under way ended before close returned").isTrue();
        assertThat(thread("prefetch-join-test")).isNull();
    }

    static Thread thread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst().orElse(null);
    }
}
