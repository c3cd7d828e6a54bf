package io.wickrcensus.job.steps;

/**
 * A client-side budget of calls per second shared by concurrent callers. It halves on a 429 and
 * grows back by a twentieth of the ceiling per successful call, so a job that meets the service's
 * limit settles just under it. A ceiling of 0 turns it off.
 */
public final class AdaptiveRateLimiter {

    private final double ceiling;
    private double rate;
    private long nextFreeNanos = System.nanoTime();

    public AdaptiveRateLimiter(double callsPerSecond) {
        this.ceiling = callsPerSecond;
        this.rate = callsPerSecond;
    }

    /** Blocks until this caller may send. */
    public void acquire() throws InterruptedException {
        if (ceiling <= 0) {
            return;
        }
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            long slot = Math.max(now, nextFreeNanos);
            nextFreeNanos = slot + (long) (1e9 / rate);
            wait = slot - now;
        }
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    /**
     * Counts a call that was sent without waiting (paging, the run's critical path): it uses up a
     * slot of the budget, so the calls that do wait (uname lookups) take only what is left.
     */
    public synchronized void consume() {
        if (ceiling > 0) {
            // at the nominal cost, and never more than a second ahead: after a 429 has halved the rate,
            // the paging would otherwise push the waiting callers minutes into the future
            long now = System.nanoTime();
            nextFreeNanos = Math.min(Math.max(now, nextFreeNanos) + (long) (1e9 / ceiling), now + 1_000_000_000L);
        }
    }

    public synchronized void throttled() {
        if (ceiling > 0) {
            rate = Math.max(1.0, rate / 2);
        }
    }

    public synchronized void succeeded() {
        if (ceiling > 0) {
            rate = Math.min(ceiling, rate + ceiling / 20);
        }
    }

    /** The budget now, calls per second. */
    synchronized double rate() {
        return rate;
    }
}
