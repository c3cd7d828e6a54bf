package io.wickrcensus.job.steps;

import org.slf4j.Logger;

/** Logs a long step's progress at most every {@code interval}: items done, rate, and what remains if known. */
public final class ProgressLog {

    private final Logger log;
    private final String what;
    private final long intervalNanos;
    private final long start = System.nanoTime();
    private long last = start;
    private long done;

    public ProgressLog(Logger log, String what, long intervalMillis) {
        this.log = log;
        this.what = what;
        this.intervalNanos = intervalMillis * 1_000_000;
    }

    /** Adds {@code n} items; logs when the interval has passed. {@code expected} may be -1 when unknown. */
    public synchronized void add(long n, long expected) {
        done += n;
        long now = System.nanoTime();
        if (now - last >= intervalNanos) {
            last = now;
            log.info(line(expected, now));
        }
    }

    public synchronized String summary() {
        return line(-1, System.nanoTime());
    }

    private String line(long expected, long now) {
        double secs = Math.max(1e-9, (now - start) / 1e9);
        String s = String.format("%s: %,d done in %.1f s (%,.0f/s)", what, done, secs, done / secs);
        if (expected >= 0) {
            s += String.format(", about %,d remaining", Math.max(0, expected - done));
        }
        return s;
    }
}
