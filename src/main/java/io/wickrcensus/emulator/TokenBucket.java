package io.wickrcensus.emulator;

/** A token bucket: {@code ratePerSecond} tokens a second, at most {@code capacity} saved up. */
final class TokenBucket {

    private final double ratePerNano;
    private final double capacity;
    private double tokens;
    private long last;

    TokenBucket(double ratePerSecond, double capacity) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.capacity = capacity;
        this.tokens = capacity;
        this.last = System.nanoTime();
    }

    synchronized boolean tryAcquire() {
        long now = System.nanoTime();
        tokens = Math.min(capacity, tokens + (now - last) * ratePerNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
