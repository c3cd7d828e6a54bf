package io.wickrcensus.faults;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fault injection for the restart tests: with {@code -Dcensus.crash-at=POINT:N} the process halts
 * (as abruptly as {@code kill -9}: no shutdown hooks, no finally blocks) the N-th time it reaches
 * POINT. Without the property this does nothing.
 */
public final class CrashPoints {

    private static final String SPEC = System.getProperty("census.crash-at");
    private static final AtomicInteger REACHED = new AtomicInteger();

    private CrashPoints() {
    }

    public static void reach(String point) {
        if (SPEC == null) {
            return;
        }
        int colon = SPEC.lastIndexOf(':');
        String name = colon < 0 ? SPEC : SPEC.substring(0, colon);
        int n = colon < 0 ? 1 : Integer.parseInt(SPEC.substring(colon + 1));
        if (name.equals(point) && REACHED.incrementAndGet() == n) {
            System.err.println("census.crash-at: halting at " + point + " #" + n);
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}
