package io.wickrcensus.emulator;

import java.util.Random;

/**
 * The faults and limits the emulator injects, changeable while it runs. Fractions are of API
 * calls; each call draws once, so the fractions add up (429 first, then 500, malformed, truncated,
 * dropped, stalled).
 */
public final class Faults {

    /** What the draw decided for one call. */
    public enum Kind { NONE, THROTTLE, SERVER_ERROR, MALFORMED, TRUNCATED, DROP, STALL }

    private volatile double fail429;
    private volatile double fail500;
    private volatile double malformed;
    private volatile double truncated;
    private volatile double drop;
    private volatile double stall;
    private volatile int stallMs = 5000;
    private volatile int latencyMs;
    private volatile int latencyJitterMs;
    private volatile TokenBucket rateLimit;
    private volatile long usersCountOffset;
    private final Random random;

    Faults(long seed) {
        this.random = new Random(seed);
    }

    public Faults fail429(double f) { this.fail429 = fraction("fail429", f); return this; }
    public Faults fail500(double f) { this.fail500 = fraction("fail500", f); return this; }
    public Faults malformed(double f) { this.malformed = fraction("malformed", f); return this; }
    public Faults truncated(double f) { this.truncated = fraction("truncated", f); return this; }
    public Faults drop(double f) { this.drop = fraction("drop", f); return this; }

    /** A fraction of calls answered only after {@code ms} milliseconds: past a client's read timeout, a timeout. */
    public Faults stall(double f, int ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("stall must not be negative");
        }
        this.stall = fraction("stall", f);
        this.stallMs = ms;
        return this;
    }

    int stallMs() {
        return stallMs;
    }

    public Faults latency(int fixedMs, int jitterMs) {
        if (fixedMs < 0 || jitterMs < 0) {
            throw new IllegalArgumentException("latency must not be negative");
        }
        this.latencyMs = fixedMs;
        this.latencyJitterMs = jitterMs;
        return this;
    }

    /** Requests per second beyond which calls get 429; 0 or less turns the limit off. */
    public Faults rateLimit(double perSecond) {
        this.rateLimit = perSecond > 0 ? new TokenBucket(perSecond, Math.max(1, perSecond)) : null;
        return this;
    }

    /** GetUsersCount answers {@code n} more active users than the network has: counts that do not reconcile. */
    public Faults usersCountOffset(long n) {
        this.usersCountOffset = n;
        return this;
    }

    long usersCountOffset() {
        return usersCountOffset;
    }

    /** Turns every fault and limit off. */
    public Faults clear() {
        fail429 = fail500 = malformed = truncated = drop = stall = 0;
        latencyMs = latencyJitterMs = 0;
        rateLimit = null;
        usersCountOffset = 0;
        return this;
    }

    Kind draw() {
        double sum = fail429 + fail500 + malformed + truncated + drop + stall;
        if (sum <= 0) {
            return Kind.NONE;
        }
        double r;
        synchronized (random) {
            r = random.nextDouble();
        }
        if ((r -= fail429) < 0) {
            return Kind.THROTTLE;
        }
        if ((r -= fail500) < 0) {
            return Kind.SERVER_ERROR;
        }
        if ((r -= malformed) < 0) {
            return Kind.MALFORMED;
        }
        if ((r -= truncated) < 0) {
            return Kind.TRUNCATED;
        }
        if ((r -= drop) < 0) {
            return Kind.DROP;
        }
        return r - stall < 0 ? Kind.STALL : Kind.NONE;
    }

    /** The delay to add to this call, in milliseconds. */
    int latencyForCall() {
        int jitter = latencyJitterMs;
        if (jitter == 0) {
            return latencyMs;
        }
        synchronized (random) {
            return latencyMs + random.nextInt(jitter + 1);
        }
    }

    /** False when the rate limit turns this call away. */
    boolean admit() {
        TokenBucket b = rateLimit;
        return b == null || b.tryAcquire();
    }

    private static double fraction(String name, double f) {
        if (f < 0 || f > 1 || Double.isNaN(f)) {
            throw new IllegalArgumentException(name + " must be a fraction between 0 and 1, got " + f);
        }
        return f;
    }
}
