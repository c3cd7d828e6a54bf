package io.wickrcensus.emulator;

import io.wickrcensus.api.Json;
import io.wickrcensus.api.model.BillingPeriod;
import io.wickrcensus.api.model.GuestUser;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/** The six operations, to the contract, over the synthetic networks. Thread-safe. */
final class ApiHandlers {

    static final int DEFAULT_PAGE = 10;
    static final int MAX_PAGE = 100;
    static final int MAX_BATCH = 50;
    private static final Set<String> USER_SORT_FIELDS = Set.of("username", "firstName", "lastName", "status", "groupId");
    private static final Set<String> GUEST_SORT_FIELDS = Set.of("username", "billingPeriod");
    private static final int REPLAY_CACHE = 100_000;

    private final PageTokens tokens;
    private final Clock clock;
    private final Map<String, int[]> sortedOrders = lru(8);
    private final Map<String, byte[]> reinviteReplays = java.util.Collections.synchronizedMap(lru(REPLAY_CACHE));
    private final Map<String, long[]> countsByDay = new ConcurrentHashMap<>();
    final List<Reinvitation> reinvitations = new CopyOnWriteArrayList<>();

    ApiHandlers(long seed, Clock clock) {
        this.tokens = new PageTokens(seed);
        this.clock = clock;
    }

    // ---- ListUsers ----------------------------------------------------------------------------

    /** ListUsers; without {@code listBots}, the bots are left out (the model does not say whether it lists them). */
    byte[] listUsers(SyntheticNetwork net, Map<String, String> q, boolean listBots) {
        int max = maxResults(q);
        Integer status = null;
        if (q.containsKey("status")) {
            String s = q.get("status");
            if (!s.equals("1") && !s.equals("2")) {
                throw ApiError.validation("status", "must be 1 (pending) or 2 (active)");
            }
            status = Integer.valueOf(s);
        }
        List<String> sortFields = sortFields(q, USER_SORT_FIELDS);
        boolean desc = descending(q);
        String firstName = lower(q.get("firstName"));
        String lastName = lower(q.get("lastName"));
        String username = lower(q.get("username"));
        String groupId = q.get("groupId");
        final Integer wantStatus = status;
        Predicate<EmulatedUser> filter = u -> (listBots || u.isUser()) && (wantStatus == null || u.status() == wantStatus)
                && contains(u.firstName(), firstName) && contains(u.lastName(), lastName)
                && contains(u.username(), username)
                && (groupId == null || u.securityGroups().contains(groupId));

        int day = net.day();
        String spec = usersSpec(net, listBots, status, firstName, lastName, username, groupId, sortFields, desc);
        int[] order = sortFields.isEmpty() ? null : sortedOrder(net.networkId + "|U|" + day + "|" + sortFields + "|" + desc,
                () -> Listing.sortedOrder(net.indexSpace(day), i -> net.user(i, day), u -> userSortKey(u, sortFields), desc));
        long start = start(q, spec, order != null, day);
        if (status == null && firstName == null && lastName == null && username == null && groupId == null && order == null) {
            byte[] rendered = prerendered(net, listBots, max, start);
            if (rendered != null) {
                servedAhead.increment();
                return rendered;
            }
        }
        return usersPage(net, spec, day, filter, order, start, max).body();
    }

    private static String usersSpec(SyntheticNetwork net, boolean listBots, Integer status, String firstName, String lastName,
                                    String username, String groupId, List<String> sortFields, boolean desc) {
        return "U|" + net.networkId + "|" + listBots + "|" + status + "|" + firstName + "|" + lastName + "|" + username + "|"
                + groupId + "|" + sortFields + "|" + (sortFields.isEmpty() ? "" : desc);
    }

    /** The ListUsers page from {@code start}, as answered, and where the next one starts. */
    private PrerenderedPages.Page usersPage(SyntheticNetwork net, String spec, int day, Predicate<EmulatedUser> filter, int[] order,
                                            long start, int max) {
        Listing.Page<EmulatedUser> page = Listing.page(net.indexSpace(day), i -> net.user(i, day), filter, order, start, max);
        byte[] body = json(g -> {
            g.writeStartObject();
            g.writeArrayPropertyStart("users");
            for (EmulatedUser u : page.items()) {
                writeUser(g, u);
            }
            g.writeEndArray();
            if (page.next() >= 0) {
                g.writeStringProperty("nextToken", tokens.encode(new PageTokens.Cursor(
                        Mix.ofString(spec), order != null ? day : -1, page.next())));
            }
            g.writeEndObject();
        });
        return new PrerenderedPages.Page(body, page.next());
    }

    // ---- ListUsers rendered ahead ---------------------------------------------------------------

    private final Map<String, PrerenderedPages> prerendered = new ConcurrentHashMap<>();
    /** ListUsers pages answered from what was rendered ahead. */
    final java.util.concurrent.atomic.LongAdder servedAhead = new java.util.concurrent.atomic.LongAdder();

    /**
     * Renders the network's plain ListUsers listing (no filter, no sort, pages of {@link #MAX_PAGE},
     * what the census job asks for) ahead, as it stands now; served until the network changes.
     * Replaces what was rendered before.
     */
    void prerender(SyntheticNetwork net, boolean listBots) throws java.io.IOException {
        long version = net.version();
        int day = net.day();
        String spec = usersSpec(net, listBots, null, null, null, null, null, List.of(), false);
        Predicate<EmulatedUser> filter = u -> listBots || u.isUser();
        PrerenderedPages pages = PrerenderedPages.render(version, listBots, MAX_PAGE,
                start -> usersPage(net, spec, day, filter, null, start, MAX_PAGE));
        PrerenderedPages before = prerendered.put(net.networkId, pages);
        if (before != null) {
            before.close();
        }
    }

    /** The page rendered ahead for this request, or null when there is none for it or the network changed since. */
    byte[] prerendered(SyntheticNetwork net, boolean listBots, int max, long start) {
        PrerenderedPages pages = prerendered.get(net.networkId);
        if (pages == null || pages.version != net.version() || pages.listBots != listBots || pages.maxResults != max) {
            return null;
        }
        return pages.page(start);
    }

    /** Deletes the pages rendered ahead. */
    void closePrerendered() {
        prerendered.values().forEach(PrerenderedPages::close);
        prerendered.clear();
    }

    private static String userSortKey(EmulatedUser u, List<String> fields) {
        StringBuilder sb = new StringBuilder();
        for (String f : fields) {
            sb.append(switch (f) {
                case "username" -> u.username().toLowerCase(Locale.ROOT);
                case "firstName" -> u.firstName().toLowerCase(Locale.ROOT);
                case "lastName" -> u.lastName().toLowerCase(Locale.ROOT);
                case "status" -> Integer.toString(u.status());
                default -> u.securityGroups().isEmpty() ? "" : u.securityGroups().get(0);
            }).append('\u0000');
        }
        return sb.toString();
    }

    private static void writeUser(JsonGenerator g, EmulatedUser u) {
        g.writeStartObject();
        g.writeStringProperty("userId", u.userId());
        g.writeStringProperty("firstName", u.firstName());
        g.writeStringProperty("lastName", u.lastName());
        g.writeStringProperty("username", u.username());
        g.writeArrayPropertyStart("securityGroups");
        for (String s : u.securityGroups()) {
            g.writeString(s);
        }
        g.writeEndArray();
        g.writeBooleanProperty("isAdmin", u.isAdmin());
        g.writeBooleanProperty("suspended", u.suspended());
        g.writeNumberProperty("status", u.status());
        g.writeBooleanProperty("otpEnabled", u.otpEnabled());
        if (u.scimId() != null) {
            g.writeStringProperty("scimId", u.scimId());
        }
        g.writeStringProperty("type", u.type());
        if (u.cell() != null) {
            g.writeStringProperty("cell", u.cell());
            g.writeStringProperty("countryCode", u.countryCode());
        }
        g.writeNumberProperty("challengeFailures", u.challengeFailures());
        g.writeBooleanProperty("isInviteExpired", u.isInviteExpired());
        g.writeBooleanProperty("isUser", u.isUser());
        if (u.inviteCode() != null) {
            g.writeStringProperty("inviteCode", u.inviteCode());
        }
        g.writeBooleanProperty("codeValidation", u.codeValidation());
        g.writeStringProperty("uname", u.uname());
        g.writeEndObject();
    }

    // ---- ListGuestUsers -----------------------------------------------------------------------

    byte[] listGuestUsers(SyntheticNetwork net, Map<String, String> q) {
        int max = maxResults(q);
        List<String> sortFields = sortFields(q, GUEST_SORT_FIELDS);
        boolean desc = descending(q);
        String username = lower(q.get("username"));
        String billingPeriod = q.get("billingPeriod");
        int day = net.day();
        int[] periodIdx;
        if (billingPeriod != null) {
            YearMonth ym = parsePeriod(billingPeriod);
            int p = net.periodIndex(ym);
            periodIdx = p < 0 ? new int[0] : new int[] {p};
        } else {
            periodIdx = new int[net.periods.size()];
            Arrays.setAll(periodIdx, i -> i);
        }
        long[] starts = new long[periodIdx.length + 1];
        for (int k = 0; k < periodIdx.length; k++) {
            starts[k + 1] = starts[k] + net.guestCount(periodIdx[k], day);
        }
        int size = (int) starts[periodIdx.length];
        IntFunction<GuestUser> at = pos -> {
            int k = Arrays.binarySearch(starts, pos);
            k = k >= 0 ? k : -k - 2;
            return net.guest(periodIdx[k], (int) (pos - starts[k]));
        };
        Predicate<GuestUser> filter = gu -> contains(gu.username(), username);
        String spec = "G|" + net.networkId + "|" + billingPeriod + "|" + username + "|" + sortFields + "|"
                + (sortFields.isEmpty() ? "" : desc);
        int[] order = sortFields.isEmpty() ? null : sortedOrder(net.networkId + "|G|" + day + "|" + billingPeriod + "|"
                + sortFields + "|" + desc, () -> Listing.sortedOrder(size, at, gu -> guestSortKey(gu, sortFields), desc));
        Listing.Page<GuestUser> page = Listing.page(size, at, filter, order, start(q, spec, order != null, day), max);
        return json(g -> {
            g.writeStartObject();
            g.writeArrayPropertyStart("guestlist");
            for (GuestUser gu : page.items()) {
                g.writeStartObject();
                g.writeStringProperty("billingPeriod", gu.billingPeriod());
                g.writeStringProperty("username", gu.username());
                g.writeStringProperty("usernameHash", gu.usernameHash());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (page.next() >= 0) {
                g.writeStringProperty("nextToken", tokens.encode(new PageTokens.Cursor(
                        Mix.ofString(spec), order != null ? day : -1, page.next())));
            }
            g.writeEndObject();
        });
    }

    private static String guestSortKey(GuestUser gu, List<String> fields) {
        StringBuilder sb = new StringBuilder();
        for (String f : fields) {
            sb.append(f.equals("username") ? gu.username().toLowerCase(Locale.ROOT) : gu.billingPeriod()).append('\u0000');
        }
        return sb.toString();
    }

    // ---- batches ------------------------------------------------------------------------------

    byte[] batchLookupUserUname(SyntheticNetwork net, byte[] body) {
        List<String> unames = stringList(body, "unames");
        int day = net.day();
        List<String[]> ok = new ArrayList<>();
        List<String[]> failed = new ArrayList<>();
        for (String uname : unames) {
            SyntheticNetwork.Lookup l = net.lookup(uname, day);
            if (l.username() != null) {
                ok.add(new String[] {uname, l.username()});
            } else {
                failed.add(new String[] {uname, "unames", l.reason()});
            }
        }
        return json(g -> {
            g.writeStartObject();
            g.writeStringProperty("message", "Looked up " + unames.size() + " unames: " + ok.size() + " resolved, "
                    + failed.size() + " failed");
            g.writeArrayPropertyStart("successful");
            for (String[] s : ok) {
                g.writeStartObject();
                g.writeStringProperty("uname", s[0]);
                g.writeStringProperty("username", s[1]);
                g.writeEndObject();
            }
            g.writeEndArray();
            writeFailures(g, "uname", failed);
            g.writeEndObject();
        });
    }

    /**
     * BatchReinviteUser. With {@code replayTokens}, a repeated X-Client-Token gets the first answer
     * again and re-invites nobody; without, it is a new request (the model marks the header an
     * idempotency token but does not say how long one is remembered). With {@code keepExpiredFlag},
     * the re-invited user's {@code isInviteExpired} stays true (the model does not say it clears).
     */
    byte[] batchReinviteUser(SyntheticNetwork net, byte[] body, String clientToken, boolean replayTokens, boolean keepExpiredFlag) {
        List<String> userIds = stringList(body, "userIds");
        String replayKey = clientToken == null || !replayTokens ? null : net.networkId + "|" + clientToken;
        String bodyKey = Long.toHexString(Mix.ofString(String.join("\u0000", userIds)));
        synchronized (net) {
            if (replayKey != null) {
                byte[] stored = reinviteReplays.get(replayKey);
                if (stored != null) {
                    String storedKey = new String(stored, 0, 16, java.nio.charset.StandardCharsets.ISO_8859_1).trim();
                    if (!storedKey.equals(bodyKey)) {
                        throw ApiError.badRequest("X-Client-Token was already used with different userIds");
                    }
                    return Arrays.copyOfRange(stored, 16, stored.length);
                }
            }
            int day = net.day();
            List<String> ok = new ArrayList<>();
            List<String[]> failed = new ArrayList<>();
            Set<Integer> seen = new HashSet<>();
            for (String id : userIds) {
                int idx = SyntheticNetwork.indexOfUserId(id);
                EmulatedUser u = idx < 0 ? null : net.user(idx, day);
                if (u == null) {
                    failed.add(new String[] {id, "userIds", "user not found in this network"});
                } else if (u.status() != 1) {
                    failed.add(new String[] {id, "userIds", "user is not pending: only pending invitations can be re-sent"});
                } else if (!seen.add(idx)) {
                    failed.add(new String[] {id, "userIds", "user id appears more than once in the request"});
                } else {
                    if (!keepExpiredFlag) {
                        net.reinvite(idx);
                    }
                    reinvitations.add(new Reinvitation(net.networkId, id, clientToken, clock.instant()));
                    ok.add(id);
                }
            }
            byte[] answer = json(g -> {
                g.writeStartObject();
                g.writeStringProperty("message", "Re-invited " + ok.size() + " of " + userIds.size() + " users");
                g.writeArrayPropertyStart("successful");
                for (String s : ok) {
                    g.writeStartObject();
                    g.writeStringProperty("userId", s);
                    g.writeEndObject();
                }
                g.writeEndArray();
                writeFailures(g, "userId", failed);
                g.writeEndObject();
            });
            if (replayKey != null) {
                byte[] stored = new byte[16 + answer.length];
                byte[] k = String.format("%-16s", bodyKey).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                System.arraycopy(k, 0, stored, 0, 16);
                System.arraycopy(answer, 0, stored, 16, answer.length);
                reinviteReplays.put(replayKey, stored);
            }
            return answer;
        }
    }

    private static void writeFailures(JsonGenerator g, String idField, List<String[]> failed) {
        g.writeArrayPropertyStart("failed");
        for (String[] f : failed) {
            g.writeStartObject();
            g.writeStringProperty(idField, f[0]);
            g.writeStringProperty("field", f[1]);
            g.writeStringProperty("reason", f[2]);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    // ---- counts -------------------------------------------------------------------------------

    /**
     * Pending and active users, then pending and active bots, as of the network's day: counted once
     * per day from the hashes that decide them ({@link SyntheticNetwork#kind}), not by building
     * every user.
     */
    private long[] counts(SyntheticNetwork net) {
        int day = net.day();
        return countsByDay.computeIfAbsent(net.networkId + "|" + day, k -> {
            long[] c = new long[4];
            for (int i = 0, n = net.indexSpace(day); i < n; i++) {
                int kind = net.kind(i, day);
                if (kind != SyntheticNetwork.ABSENT) {
                    c[kind]++;
                }
            }
            return c;
        });
    }

    /**
     * GetUsersCount: {@code total} is active plus pending. Whether those count the bots that
     * ListUsers lists is not stated by the model; the emulator serves either reading
     * ({@code --users-count-bots}), excluding them by default.
     */
    byte[] getUsersCount(SyntheticNetwork net, boolean includeBots, long offset) {
        long[] c = counts(net);
        long pending = c[0] + (includeBots ? c[2] : 0);
        long active = c[1] + (includeBots ? c[3] : 0) + offset;
        long total = pending + active;
        long licenses = Math.max(100, (long) Math.ceil(net.baseUsers * 1.25 / 100.0) * 100);
        return json(g -> {
            g.writeStartObject();
            g.writeNumberProperty("pending", pending);
            g.writeNumberProperty("active", active);
            g.writeNumberProperty("rejected", 0);
            g.writeNumberProperty("remaining", Math.max(0, licenses - total));
            g.writeNumberProperty("total", total);
            g.writeEndObject();
        });
    }

    /** GetBotsCount: the network's bots, counted apart from its users. */
    byte[] getBotsCount(SyntheticNetwork net) {
        long[] c = counts(net);
        return json(g -> {
            g.writeStartObject();
            g.writeNumberProperty("pending", c[2]);
            g.writeNumberProperty("active", c[3]);
            g.writeNumberProperty("total", c[2] + c[3]);
            g.writeEndObject();
        });
    }

    /** The last three billing periods served (the real service keeps about 90 days). */
    byte[] getGuestUserHistoryCount(SyntheticNetwork net) {
        int day = net.day();
        int n = net.periods.size();
        return json(g -> {
            g.writeStartObject();
            g.writeArrayPropertyStart("history");
            for (int p = Math.max(0, n - 3); p < n; p++) {
                g.writeStartObject();
                g.writeStringProperty("month", net.periods.get(p).toString().replace('-', '_'));
                g.writeStringProperty("count", Integer.toString(net.guestCount(p, day)));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    // ---- shared -------------------------------------------------------------------------------

    /** Where the listing resumes: 0, or the position the request's {@code nextToken} carries (refused if this listing did not issue it). */
    private long start(Map<String, String> q, String spec, boolean dayBound, int day) {
        String token = q.get("nextToken");
        if (token == null) {
            return 0;
        }
        PageTokens.Cursor c = tokens.decode(token, Mix.ofString(spec));
        if (c == null) {
            throw ApiError.validation("nextToken", "is not a token this listing issued");
        }
        if (dayBound && c.day() != day) {
            throw ApiError.validation("nextToken", "has expired: the sorted listing changed since it was issued");
        }
        return c.position();
    }

    private int[] sortedOrder(String key, java.util.function.Supplier<int[]> build) {
        synchronized (sortedOrders) {
            int[] o = sortedOrders.get(key);
            if (o == null) {
                o = build.get();
                sortedOrders.put(key, o);
            }
            return o;
        }
    }

    static int maxResults(Map<String, String> q) {
        String v = q.get("maxResults");
        if (v == null) {
            return DEFAULT_PAGE;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= MAX_PAGE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiError.validation("maxResults", "must be an integer between 1 and " + MAX_PAGE + ", got '" + v + "'");
    }

    private static List<String> sortFields(Map<String, String> q, Set<String> allowed) {
        String v = q.get("sortFields");
        if (v == null || v.isEmpty()) {
            return List.of();
        }
        List<String> fields = new ArrayList<>();
        for (String f : v.split("[+ ]")) {
            if (!allowed.contains(f)) {
                throw ApiError.validation("sortFields", "'" + f + "' is not one of " + new java.util.TreeSet<>(allowed));
            }
            fields.add(f);
        }
        return fields;
    }

    private static boolean descending(Map<String, String> q) {
        String v = q.getOrDefault("sortDirection", "DESC");
        if (!v.equals("ASC") && !v.equals("DESC")) {
            throw ApiError.validation("sortDirection", "must be ASC or DESC");
        }
        return v.equals("DESC");
    }

    static YearMonth parsePeriod(String v) {
        try {
            return BillingPeriod.parse(v);
        } catch (IllegalArgumentException e) {
            throw ApiError.validation("billingPeriod", "must be a month in the form YYYY-MM, got '" + v + "'");
        }
    }

    private static List<String> stringList(byte[] body, String field) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (RuntimeException e) {
            throw ApiError.badRequest("The request body is not valid JSON");
        }
        JsonNode arr = root == null ? null : root.get(field);
        if (arr == null || !arr.isArray()) {
            throw ApiError.validation(field, "is required and must be a list");
        }
        if (arr.isEmpty()) {
            throw ApiError.validation(field, "must hold at least 1 item");
        }
        if (arr.size() > MAX_BATCH) {
            throw ApiError.validation(field, "holds " + arr.size() + " items; at most " + MAX_BATCH + " are allowed");
        }
        List<String> out = new ArrayList<>(arr.size());
        for (JsonNode n : arr) {
            if (!n.isString()) {
                throw ApiError.validation(field, "must hold strings only");
            }
            out.add(n.asString());
        }
        return out;
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static boolean contains(String value, String wantedLower) {
        return wantedLower == null || (value != null && value.toLowerCase(Locale.ROOT).contains(wantedLower));
    }

    interface Writer {
        void write(JsonGenerator g);
    }

    static byte[] json(Writer w) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
            w.write(g);
        }
        return out.toByteArray();
    }

    private static <K, V> Map<K, V> lru(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> e) {
                return size() > max;
            }
        };
    }
}
