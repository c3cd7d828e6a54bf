package io.wickrcensus.job.steps;

import io.wickrcensus.api.model.BotsCount;
import io.wickrcensus.api.model.UsersCount;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How the staged roster compares with the service's counts, under each reading the model allows.
 * Pure: step 4 ({@link ReconcileTasklet}) gives it the staged figures and the counts read as paging
 * began and after it.
 *
 * <p>The model leaves two things open. Whether ListUsers lists the bots at all (it has a ListBots
 * of its own and documents {@code isUser} as "as opposed to a bot"), and whether GetUsersCount's
 * {@code pending}, {@code active} and {@code total} count the bots (GetBotsCount counts them apart).
 * So four readings, the likelier first; the bots-unlisted ones only where no bot was listed.
 *
 * <p>A network can change while it is paged. A staged figure reconciles when it lies between the
 * two readings of the service's figure, give or take the allowance: the larger of
 * {@code floor(figure × tolerance)} and {@link #MIN_ALLOWED} users. A tolerance of 0 asks for exact
 * figures, with no allowance.
 */
public final class CountReadings {

    /** The fewest users a difference may be without failing, whatever the network's size (with a tolerance above 0). */
    public static final long MIN_ALLOWED = 3;

    /** A reading of the service's counts. */
    public enum Reading {
        /** ListUsers lists the bots; GetUsersCount leaves them out. */
        BOTS_EXCLUDED("bots-excluded", true, false),
        /** ListUsers lists the bots; GetUsersCount counts them in. */
        BOTS_INCLUDED("bots-included", true, true),
        /** ListUsers lists no bot; GetUsersCount leaves them out. */
        BOTS_UNLISTED("bots-unlisted", false, false),
        /** ListUsers lists no bot; GetUsersCount counts them in (so it is the users listed plus GetBotsCount's). */
        BOTS_UNLISTED_COUNTED("bots-unlisted-counted", false, true);

        public final String label;
        final boolean botsListed;
        final boolean botsCounted;

        Reading(String label, boolean botsListed, boolean botsCounted) {
            this.label = label;
            this.botsListed = botsListed;
            this.botsCounted = botsCounted;
        }
    }

    /** The staged roster's counts: users and bots, pending and active. */
    public record Staged(long pendingUsers, long activeUsers, long pendingBots, long activeBots) {
        public long bots() {
            return pendingBots + activeBots;
        }

        public long total() {
            return pendingUsers + activeUsers + bots();
        }
    }

    /** The service's counts at one moment: GetUsersCount and GetBotsCount. */
    public record Counts(UsersCount users, BotsCount bots) {
    }

    /** The reading that matched (if one did) and, if none did, the differences under the likeliest. */
    public record Verdict(Optional<Reading> reading, List<String> differences) {
    }

    private final double tolerance;

    public CountReadings(double tolerance) {
        this.tolerance = tolerance;
    }

    /**
     * Judges the staged counts against the service's, read as paging began ({@code before}, empty
     * where it was not recorded) and after it. Of the readings that match, the one whose figures lie
     * closest wins: a network with a bot or two that ListUsers leaves out is "bots-unlisted", not
     * "bots-excluded" within the allowance.
     */
    public Verdict judge(Staged s, Optional<Counts> before, Counts after) {
        Reading best = null;
        long bestDistance = Long.MAX_VALUE;
        List<String> closest = null;
        for (Reading r : Reading.values()) {
            if (!r.botsListed && s.bots() > 0) {
                continue; // bots were listed: not a reading where ListUsers lists none
            }
            List<String> differences = new ArrayList<>();
            long distance = 0;
            long pending = s.pendingUsers() + (r.botsCounted && r.botsListed ? s.pendingBots() : 0);
            long active = s.activeUsers() + (r.botsCounted && r.botsListed ? s.activeBots() : 0);
            distance += compare("pending", pending, before.map(c -> reportedPending(r, c)), reportedPending(r, after), differences);
            distance += compare("active", active, before.map(c -> reportedActive(r, c)), reportedActive(r, after), differences);
            distance += compare("total", pending + active, before.map(c -> reportedTotal(r, c)), reportedTotal(r, after), differences);
            if (r.botsListed) {
                distance += compare("bots", s.bots(), before.map(c -> c.bots().total()), after.bots().total(), differences);
            }
            if (differences.isEmpty() && distance < bestDistance) {
                best = r;
                bestDistance = distance;
            }
            closest = closest == null ? differences : closest;
        }
        return best != null ? new Verdict(Optional.of(best), List.of()) : new Verdict(Optional.empty(), closest);
    }

    private static long reportedPending(Reading r, Counts c) {
        return c.users().pending() - (r.botsCounted && !r.botsListed ? c.bots().pending() : 0);
    }

    private static long reportedActive(Reading r, Counts c) {
        return c.users().active() - (r.botsCounted && !r.botsListed ? c.bots().active() : 0);
    }

    private static long reportedTotal(Reading r, Counts c) {
        return c.users().total() - (r.botsCounted && !r.botsListed ? c.bots().total() : 0);
    }

    /**
     * Compares one staged figure with the service's, read before and after; adds the difference to
     * {@code problems} when it is beyond the allowance. Returns how far the staged figure lies
     * outside the two readings (0 between them).
     */
    public long compare(String what, long staged, Optional<Long> before, long after, List<String> problems) {
        long lo = Math.min(before.orElse(after), after);
        long hi = Math.max(before.orElse(after), after);
        long allowed = allowed(Math.max(staged, hi));
        long outside = staged < lo ? lo - staged : staged > hi ? staged - hi : 0;
        if (outside > allowed) {
            problems.add(what + " staged " + staged + ", reported " + after
                    + (before.isPresent() && before.get() != after ? " (" + before.get() + " as paging began)" : ""));
        }
        return outside;
    }

    /** The difference allowed on a figure of {@code n}. */
    long allowed(long n) {
        return tolerance == 0 ? 0 : Math.max(MIN_ALLOWED, (long) Math.floor(n * tolerance));
    }
}
