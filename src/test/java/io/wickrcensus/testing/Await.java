package io.wickrcensus.testing;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waiting for a condition in a test, checked every few milliseconds until it holds or the time is up. */
public final class Await {

    private Await() {
    }

    /** Whether {@code condition} held within {@code timeout}; a condition that throws counts as not yet. */
    public static boolean until(Duration timeout, Callable<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (condition.call()) {
                    return true;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                // not yet
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(10);
        }
    }
}
