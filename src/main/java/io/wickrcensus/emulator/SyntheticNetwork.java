package io.wickrcensus.emulator;

import io.wickrcensus.api.model.GuestUser;
import java.text.Normalizer;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One deterministic synthetic Wickr network. Nothing is built up front: user {@code i} on day
 * {@code d} is computed from (seed, network, i, d) whenever it is asked for, so a network of
 * millions costs no memory, and the same seed always serves the same network.
 *
 * <p>Days model time passing: {@link #advanceDays(int)} applies days of churn. Each day about
 * {@code churnRate/2} of the users leave, as many new ones join, {@code churnRate} have their
 * admin, suspension and OTP settings re-rolled, pending users activate on their own schedule, and
 * the latest billing period gains new guests. Re-invitations are the only state kept
 * ({@code reinvitedOnDay}): a re-invited user's invitation is fresh again.
 */
final class SyntheticNetwork {

    static final int INVITE_LIFETIME_DAYS = 14;
    static final String[] GROUPS = {"Ops7xQ", "EngK2p", "FinR9d", "LegM4w", "ExeZ1c", "SupH8t"};
    private static final String[] FIRST = {"Ana", "José", "Zoë", "Łukasz", "Søren", "Aiko", "李", "Mehmet", "Fatima",
        "Olivia", "Liam", "Noah", "Emma", "Chloé", "Björn", "Ngozi", "Priya", "Dmitri", "Анна", "Sven", "Mateo",
        "Yuki", "Amélie", "Jürgen", "Grace", "Omar", "Ingrid", "Kwame", "Lucía", "Wei"};
    private static final String[] LAST = {"Smith", "Müller", "García", "Nguyen", "Kowalski", "O'Brien", "Øvergaard",
        "佐藤", "Ivanova", "Da Silva", "Okafor", "Patel", "Johansson", "Dubois", "Rossi", "Kim", "Haddad", "Łęcki",
        "Peña", "Schröder", "Brown", "Tanaka", "Novak", "Fischer", "Mensah"};
    private static final String[] FIRST_ASCII = asciiAll(FIRST);
    private static final String[] LAST_ASCII = asciiAll(LAST);
    private static final String[] DOMAINS = {"example.com", "corp.example", "agency.example.org"};
    private static final String[] BOT_NAMES = {"alerts", "deploy", "oncall", "digest", "compliance"};
    private static final String[] COUNTRY = {"1", "44", "49", "33", "81"};
    private static final long F_NAME = 1, F_LAST = 2, F_BOT = 3, F_GROUPS = 4, F_CELL = 5, F_SCIM = 6, F_ACT = 7,
            F_INVITED = 8, F_ADMIN = 9, F_SUSP = 10, F_OTP = 11, F_CHALL = 12, F_LEAVE = 13, F_CHANGE = 14,
            F_DOMAIN = 15, F_CODE = 16, F_GUEST = 17, F_GUEST_PRIVATE = 18, F_CODEVAL = 19;

    final String networkId;
    private final long key;
    final int baseUsers;
    final int guestsPerPeriod;
    final List<YearMonth> periods;
    final double churnRate;
    private final int joinsPerDay;
    private final int newGuestsPerDay;
    private final int guestShift;
    private final UnameCodec unames;
    /** Per period, how many guests its window holds (before a day's new ones and the returners). */
    private final int[] guestWindows;
    private final boolean guestVariation;
    private static final long[] NO_RETURNERS = new long[0];
    /** Per period, the guests back after a period away, found once. */
    private final Map<Integer, long[]> returners = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> reinvitedOnDay = new ConcurrentHashMap<>();
    private volatile int day;
    /** Counts every change of what the network lists (a day of churn, a re-invitation): what pages rendered ahead are checked against. */
    private final java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong();

    SyntheticNetwork(long seed, String networkId, int users, int guestsPerPeriod, List<YearMonth> periods,
                     double churnRate, int startDay) {
        this(seed, networkId, users, guestsPerPeriod, periods, churnRate, startDay, false);
    }

    SyntheticNetwork(long seed, String networkId, int users, int guestsPerPeriod, List<YearMonth> periods,
                     double churnRate, int startDay, boolean guestVariation) {
        this.networkId = networkId;
        this.key = Mix.mix(seed) ^ Mix.ofString(networkId);
        this.baseUsers = users;
        this.guestsPerPeriod = guestsPerPeriod;
        List<YearMonth> sorted = new ArrayList<>(periods);
        Collections.sort(sorted);
        this.periods = List.copyOf(sorted);
        this.churnRate = churnRate;
        this.joinsPerDay = churnRate == 0 ? 0 : Math.max(1, (int) Math.round(users * churnRate / 2));
        this.newGuestsPerDay = churnRate == 0 ? 0 : Math.max(1, (int) Math.round(guestsPerPeriod * churnRate * 2));
        this.guestShift = Math.max(1, guestsPerPeriod * 35 / 100);
        this.guestWindows = new int[this.periods.size()];
        for (int p = 0; p < guestWindows.length; p++) {
            guestWindows[p] = guestVariation ? Math.max(guestShift, (int) Math.round(guestsPerPeriod * guestFactor(p))) : guestsPerPeriod;
        }
        this.guestVariation = guestVariation;
        this.unames = new UnameCodec(seed, networkId);
        this.day = startDay;
    }

    int day() {
        return day;
    }

    synchronized int advanceDays(int days) {
        day += days;
        version.incrementAndGet();
        return day;
    }

    /** Changes with every change of what the network lists; see {@link PrerenderedPages}. */
    long version() {
        return version.get();
    }

    /** How many user indices exist by {@code d} (present or gone). */
    int indexSpace(int d) {
        return baseUsers + d * joinsPerDay;
    }

    private int joinDay(int i) {
        return i < baseUsers ? 0 : 1 + (i - baseUsers) / joinsPerDay;
    }

    private long h(long a, long b, long salt) {
        return Mix.hash(key, a, b, salt);
    }

    /** Counts of {@link #kind}: pending users, active users, pending bots, active bots. */
    static final int PENDING_USER = 0, ACTIVE_USER = 1, PENDING_BOT = 2, ACTIVE_BOT = 3, ABSENT = -1;

    /**
     * What user {@code i} is on day {@code d} ({@link #PENDING_USER} ... {@link #ACTIVE_BOT}, or
     * {@link #ABSENT}), from the few hashes that decide it: what GetUsersCount and GetBotsCount
     * count, without building the user.
     */
    int kind(int i, int d) {
        if (lastChange(i, d) < 0) {
            return ABSENT;
        }
        boolean bot = isBot(i);
        boolean pending = !bot && d < activationDay(i, joinDay(i));
        return (bot ? PENDING_BOT : PENDING_USER) + (pending ? 0 : 1);
    }

    /** The last day user {@code i}'s settings were re-rolled by day {@code d}; -1 when not a member that day. */
    private int lastChange(int i, int d) {
        if (i < 0 || i >= indexSpace(d)) {
            return -1;
        }
        int joined = joinDay(i);
        if (joined > d) {
            return -1;
        }
        int lastChange = joined;
        for (int k = joined + 1; k <= d; k++) {
            if (Mix.unit(h(i, k, F_LEAVE)) < churnRate / 2) {
                return -1;
            }
            if (Mix.unit(h(i, k, F_CHANGE)) < churnRate) {
                lastChange = k;
            }
        }
        return lastChange;
    }

    private boolean isBot(int i) {
        return Mix.unit(h(i, 0, F_BOT)) < 0.02;
    }

    /** Base users activated before day 0 (85%) or on a day of their own; joiners within 5 days of joining. */
    private int activationDay(int i, int joined) {
        long act = h(i, 0, F_ACT);
        return i < baseUsers
                ? (Mix.unit(act) < 0.85 ? Integer.MIN_VALUE : 1 + Mix.below(Mix.mix(act), 60))
                : joined + Mix.below(act, 6);
    }

    /** User {@code i} as of day {@code d}, or {@code null} when not a member that day. */
    EmulatedUser user(int i, int d) {
        int lastChange = lastChange(i, d);
        if (lastChange < 0) {
            return null;
        }
        int joined = joinDay(i);
        boolean bot = isBot(i);
        int fn = firstName(i, bot);
        int ln = lastName(i);
        String first = bot ? capitalize(BOT_NAMES[fn]) : FIRST[fn];
        String last = bot ? "Bot" : LAST[ln];
        String username = username(i, bot, fn, ln);

        long g = h(i, 0, F_GROUPS);
        List<String> groups = new ArrayList<>(2);
        groups.add(GROUPS[Mix.below(g, GROUPS.length)]);
        if (Mix.unit(Mix.mix(g)) < 0.3) {
            String second = GROUPS[Mix.below(Mix.mix(g + 1), GROUPS.length)];
            if (!groups.contains(second)) {
                groups.add(second);
            }
        }

        boolean pending = !bot && d < activationDay(i, joined);
        int invitedDay = i < baseUsers ? -Mix.below(h(i, 0, F_INVITED), 2 * INVITE_LIFETIME_DAYS) : joined;
        Integer reinvited = reinvitedOnDay.get(i);
        if (reinvited != null && reinvited <= d) {
            invitedDay = Math.max(invitedDay, reinvited);
        }
        boolean expired = pending && d - invitedDay >= INVITE_LIFETIME_DAYS;

        boolean hasCell = !bot && Mix.unit(h(i, 0, F_CELL)) < 0.7;
        long cellBits = Mix.mix(h(i, 0, F_CELL));
        return new EmulatedUser(
                i,
                userId(i),
                first,
                last,
                username,
                List.copyOf(groups),
                !bot && Mix.unit(h(i, lastChange, F_ADMIN)) < 0.03,
                Mix.unit(h(i, lastChange, F_SUSP)) < 0.02,
                pending ? 1 : 2,
                Mix.unit(h(i, lastChange, F_OTP)) < 0.6,
                Mix.unit(h(i, 0, F_SCIM)) < 0.1 ? "scim-" + Long.toHexString(h(i, 0, F_SCIM) >>> 16) : null,
                bot ? "bot" : "user",
                hasCell ? Long.toString(5_550_000_000L + Long.remainderUnsigned(cellBits, 10_000_000L)) : null,
                hasCell ? COUNTRY[Mix.below(cellBits >>> 32, COUNTRY.length)] : null,
                Mix.unit(h(i, lastChange, F_CHALL)) < 0.1 ? 1 + Mix.below(h(i, lastChange, F_CHALL + 100), 5) : 0,
                expired,
                !bot,
                pending ? inviteCode(i, invitedDay) : null,
                Mix.unit(h(i, 0, F_CODEVAL)) < 0.05,
                unames.encode(UnameCodec.KIND_USER, i));
    }

    /** User {@code i}'s username: it never changes. */
    private String username(int i, boolean bot, int fn, int ln) {
        return bot
                ? BOT_NAMES[fn] + "-" + i + "bot"
                : FIRST_ASCII[fn] + "." + LAST_ASCII[ln] + "." + i + "@" + DOMAINS[Mix.below(h(i, 0, F_DOMAIN), DOMAINS.length)];
    }

    /** User {@code i}'s username as of day {@code d}, or {@code null} when not a member that day: {@link #user}'s, without building the rest. */
    String username(int i, int d) {
        if (lastChange(i, d) < 0) {
            return null;
        }
        boolean bot = isBot(i);
        return username(i, bot, firstName(i, bot), lastName(i));
    }

    /** Which of {@link #FIRST} (a bot: of {@code BOT_NAMES}) user {@code i} is named. */
    private int firstName(int i, boolean bot) {
        return Mix.below(h(i, 0, F_NAME), bot ? BOT_NAMES.length : FIRST.length);
    }

    /** Which of {@link #LAST} user {@code i} is named. */
    private int lastName(int i) {
        return Mix.below(h(i, 0, F_LAST), LAST.length);
    }

    static String userId(int index) {
        return Integer.toString(1_000_000 + index);
    }

    /** The index a userId names, or -1. */
    static int indexOfUserId(String userId) {
        try {
            long v = Long.parseLong(userId);
            return v >= 1_000_000 && v < 1_000_000L + Integer.MAX_VALUE ? (int) (v - 1_000_000) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private String inviteCode(int i, int invitedDay) {
        long c = h(i, invitedDay, F_CODE);
        StringBuilder sb = new StringBuilder(10);
        for (int k = 0; k < 10; k++) {
            sb.append("ABCDEFGHJKLMNPQRSTUVWXYZ23456789".charAt(Mix.below(c, 32)));
            c = Mix.mix(c);
        }
        return sb.toString();
    }

    /** Marks a pending user re-invited on the current day. */
    void reinvite(int index) {
        reinvitedOnDay.put(index, day);
        version.incrementAndGet();
    }

    // ---- guests -------------------------------------------------------------------------------

    /**
     * Period {@code p}'s size against the latest's, with the seed: a growth of 3% a month, a
     * seasonal swing of 12%, and one quiet month at half (never the latest period, which is 1).
     */
    private double guestFactor(int p) {
        int last = periods.size() - 1;
        int quiet = last == 0 ? -1 : Mix.below(Mix.mix(key ^ 0x5157), last);
        double phase = Mix.below(Mix.mix(key ^ 0x9e37), 12);
        java.util.function.IntToDoubleFunction raw = i -> (1 - 0.03 * (last - i))
                * (1 + 0.12 * Math.sin(2 * Math.PI * (periods.get(i).getMonthValue() + phase) / 12));
        return raw.applyAsDouble(p) / raw.applyAsDouble(last) * (p == quiet ? 0.5 : 1);
    }

    /** How many guests period {@code p} holds on day {@code d}. */
    int guestCount(int p, int d) {
        return guestWindows[p] + (p == periods.size() - 1 ? d * newGuestsPerDay : 0) + returners(p).length;
    }

    /**
     * The guest at offset {@code k} of period {@code p}. Guests overlap between periods (about 65%
     * recur); with guest variation, some guests of the period before last who were not guests of
     * the last one come back (the returners: after the window, before a day's new guests).
     */
    GuestUser guest(int p, int k) {
        long[] back = returners(p);
        int window = guestWindows[p];
        long g = k < window ? (long) p * guestShift + k
                : k < window + back.length ? back[k - window]
                : (long) p * guestShift + k - back.length; // the latest period's new guests of each day
        return new GuestUser(periods.get(p).toString(), guestUsername(g), unames.encode(UnameCodec.KIND_GUEST, g));
    }

    /** Guests of period p-2 who are not guests of p-1 and come back in p: one in ten of those, by the seed. */
    private long[] returners(int p) {
        if (!guestVariation || p < 2) {
            return NO_RETURNERS; // asked for every guest of every page: no allocation
        }
        return returners.computeIfAbsent(p, q -> {
            long from = (long) (q - 2) * guestShift;
            long to = Math.min((long) (q - 1) * guestShift, from + guestWindows[q - 2]); // in q-2, before q-1's window
            return java.util.stream.LongStream.range(from, to).filter(g -> Mix.below(h(g, 4, F_GUEST), 10) == 0).toArray();
        });
    }

    private String guestUsername(long g) {
        return FIRST_ASCII[Mix.below(h(g, 1, F_GUEST), FIRST.length)] + "." + LAST_ASCII[Mix.below(h(g, 2, F_GUEST), LAST.length)]
                + "." + g + "@partner" + Mix.below(h(g, 3, F_GUEST), 9) + ".example";
    }

    int periodIndex(YearMonth period) {
        return periods.indexOf(period);
    }

    // ---- uname lookup -------------------------------------------------------------------------

    /** A lookup outcome: a username, or the failure reason. */
    record Lookup(String username, String reason) { }

    Lookup lookup(String uname, int d) {
        UnameCodec.Decoded dec = unames.decode(uname);
        if (dec == null) {
            return new Lookup(null, "uname not found in this network");
        }
        if (dec.kind() == UnameCodec.KIND_USER) {
            String username = dec.index() <= Integer.MAX_VALUE ? username((int) dec.index(), d) : null;
            return username == null ? new Lookup(null, "user is no longer a member of this network") : new Lookup(username, null);
        }
        if (dec.kind() == UnameCodec.KIND_GUEST) {
            if (Mix.unit(h(dec.index(), 0, F_GUEST_PRIVATE)) < 0.02) {
                return new Lookup(null, "the guest's network does not share usernames");
            }
            return new Lookup(guestUsername(dec.index()), null);
        }
        return new Lookup(null, "uname not found in this network");
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String[] asciiAll(String[] names) {
        String[] out = new String[names.length];
        for (int k = 0; k < names.length; k++) {
            out[k] = ascii(names[k]);
        }
        return out;
    }

    static String ascii(String name) {
        String folded = Normalizer.normalize(name, Normalizer.Form.NFD).replaceAll("\\p{M}", "")
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return folded.isEmpty() ? "user" : folded;
    }
}
