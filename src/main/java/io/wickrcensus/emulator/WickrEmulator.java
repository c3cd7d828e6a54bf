package io.wickrcensus.emulator;

import io.wickrcensus.api.errors.ValidationReason;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Wickr Admin API: an HTTP server on loopback that verifies SigV4 signatures, serves
 * deterministic synthetic networks, and injects faults on demand.
 *
 * <p>Besides the API, a few unsigned endpoints under {@code /_emulator/} let a test or a
 * benchmark in another process steer it: {@code POST /_emulator/networks/{id}/churn?days=N},
 * {@code GET /_emulator/networks/{id}/reinvitations}, {@code GET /_emulator/stats} and
 * {@code POST /_emulator/faults?fail429=..&fail500=..&malformed=..&truncated=..&drop=..&stall=..&stallMs=..&latencyMs=..&rateLimit=..}.
 */
public final class WickrEmulator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WickrEmulator.class);

    static final String ADMIN_PREFIX = "/_emulator/";

    private final EmulatorConfig config;
    private final MiniHttpServer server;
    private final Map<String, SyntheticNetwork> networks = new LinkedHashMap<>();
    private final SigV4Verifier verifier;
    private final ApiHandlers handlers;
    private final Faults faults;
    private final Clock serviceClock;
    private final Map<String, LongAdder> stats = new ConcurrentHashMap<>();

    private WickrEmulator(EmulatorConfig config) throws IOException {
        this.config = config;
        List<YearMonth> periods = config.effectivePeriods();
        for (String id : config.effectiveNetworkIds()) {
            networks.put(id, new SyntheticNetwork(config.seed(), id, config.users(), config.guests(), periods,
                    config.churnRate(), config.churnDays(), config.guestVariation()));
        }
        // the service's own time: what signatures are checked against and what its Date header says
        this.serviceClock = Clock.offset(config.clock(), Duration.ofSeconds(config.clockSkewSeconds()));
        this.verifier = new SigV4Verifier(Map.of(config.accessKey(), config.secretKey()), config.region(), "wickr",
                serviceClock, Duration.ofMinutes(15), true);
        this.handlers = new ApiHandlers(config.seed(), config.clock());
        this.faults = new Faults(config.seed() ^ 0x5eedL)
                .fail429(config.fail429()).fail500(config.fail500()).malformed(config.malformed())
                .truncated(config.truncated()).drop(config.drop())
                .latency(config.latencyMs(), config.latencyJitterMs()).rateLimit(config.rateLimit());
        if (config.prerenderedPages()) {
            try {
                for (SyntheticNetwork net : networks.values()) {
                    prerender(net);
                }
            } catch (IOException | RuntimeException e) {
                handlers.closePrerendered();
                throw e;
            }
        }
        this.server = new MiniHttpServer(config.bindAddress(), config.port(), this::handle);
    }

    /** Renders the network's plain ListUsers listing ahead, as it stands now ({@link EmulatorConfig.Builder#prerenderedPages}). */
    private void prerender(SyntheticNetwork net) throws IOException {
        long start = System.nanoTime();
        handlers.prerender(net, config.listUsersIncludesBots());
        log.info("network {}: ListUsers pages rendered ahead for day {} in {} ms", net.networkId, net.day(),
                (System.nanoTime() - start) / 1_000_000);
    }

    /** Starts an emulator; close it to stop. */
    public static WickrEmulator start(EmulatorConfig config) throws IOException {
        return new WickrEmulator(config);
    }

    public URI endpoint() {
        InetSocketAddress a = server.address();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort());
    }

    public int port() {
        return server.address().getPort();
    }

    public List<String> networkIds() {
        return List.copyOf(networks.keySet());
    }

    public List<YearMonth> periods() {
        return config.effectivePeriods();
    }

    /** The faults in force; change them while the emulator runs. */
    public Faults faults() {
        return faults;
    }

    /** Applies {@code days} days of churn to a network; returns its new day number. */
    public int advanceDays(String networkId, int days) {
        return network(networkId).advanceDays(days);
    }

    /**
     * Once {@code calls} more calls of {@code operation} have been answered, applies {@code days}
     * days of churn to the network: the network changes under a client that is paging it.
     */
    public void churnAfter(String networkId, String operation, int calls, int days) {
        network(networkId);
        churnTrigger.set(new ChurnTrigger(networkId, operation, new java.util.concurrent.atomic.AtomicInteger(calls), days));
    }

    private record ChurnTrigger(String networkId, String operation, java.util.concurrent.atomic.AtomicInteger left, int days) {
    }

    private final java.util.concurrent.atomic.AtomicReference<ChurnTrigger> churnTrigger = new java.util.concurrent.atomic.AtomicReference<>();

    private void answered(String op) {
        count(op + ".200");
        ChurnTrigger t = churnTrigger.get();
        if (t != null && t.operation().equals(op) && t.left().decrementAndGet() == 0 && churnTrigger.compareAndSet(t, null)) {
            advanceDays(t.networkId(), t.days());
        }
    }

    /** The network's current day number (0 until churn is applied). */
    public int day(String networkId) {
        return network(networkId).day();
    }

    /** Every re-invitation performed so far, in order. */
    public List<Reinvitation> reinvitations() {
        return List.copyOf(handlers.reinvitations);
    }

    /**
     * Counters: calls per operation and status ({@code ListUsers.200}), injected faults
     * ({@code fault.DROP}), and with pages rendered ahead, the ListUsers pages answered from them
     * ({@code ListUsers.renderedAhead}).
     */
    public Map<String, Long> stats() {
        Map<String, Long> out = new TreeMap<>();
        stats.forEach((k, v) -> out.put(k, v.sum()));
        if (config.prerenderedPages()) {
            out.put("ListUsers.renderedAhead", handlers.servedAhead.sum());
        }
        return out;
    }

    public void resetStats() {
        stats.clear();
    }

    private SyntheticNetwork network(String id) {
        SyntheticNetwork n = networks.get(id);
        if (n == null) {
            throw new IllegalArgumentException("the emulator serves no network '" + id + "'");
        }
        return n;
    }

    // ---- request handling ---------------------------------------------------------------------

    private record Route(String operation, String networkId) { }

    private static Route route(String method, String rawPath) {
        String[] seg = rawPath.split("/", -1);
        if (seg.length < 4 || !seg[0].isEmpty() || !seg[1].equals("networks") || seg[2].isEmpty()) {
            return null;
        }
        String net = SigV4Verifier.percentDecode(seg[2]);
        String rest = String.join("/", java.util.Arrays.copyOfRange(seg, 3, seg.length));
        String op = switch (method + " " + rest) {
            case "GET users" -> "ListUsers";
            case "GET users/count" -> "GetUsersCount";
            case "POST users/uname-lookup" -> "BatchLookupUserUname";
            case "PATCH users/re-invite" -> "BatchReinviteUser";
            case "GET guest-users" -> "ListGuestUsers";
            case "GET guest-users/count" -> "GetGuestUserHistoryCount";
            case "GET bots/count" -> "GetBotsCount";
            default -> null;
        };
        return op == null ? null : new Route(op, net);
    }

    private void handle(MiniHttpServer.Exchange ex) throws IOException {
        long start = System.nanoTime();
        long slept = 0;
        boolean admin = ex.rawPath.startsWith(ADMIN_PREFIX);
        String op = "Unknown";
        try {
            if (admin) {
                send(ex, 200, admin(ex, ex.rawPath.substring(ADMIN_PREFIX.length())), null);
                return;
            }
            Route route = route(ex.method, ex.rawPath);
            op = route == null ? "Unknown" : route.operation();

            SigV4Verifier.Result auth = verifier.verify(new SigV4Verifier.Request(ex.method, ex.rawPath, ex.rawQuery,
                    ex.headers, ex.body));
            if (auth.expired()) {
                throw new ApiError(config.expiredSignature().status, config.expiredSignature().errorType, auth.reason(), null);
            }
            if (!auth.ok()) {
                throw new ApiError(auth.status(), auth.status() == 401 ? "UnauthorizedError" : "ForbiddenError",
                        auth.reason(), null);
            }
            if (route == null) {
                throw ApiError.badRequest("No operation is served at " + ex.method + " " + ex.rawPath);
            }
            if (!faults.admit()) {
                count("ratelimited");
                throw new ApiError(429, "RateLimitError", "Rate exceeded", null);
            }
            slept += sleep(faults.latencyForCall());
            Faults.Kind fault = faults.draw();
            if (fault != Faults.Kind.NONE) {
                count("fault." + fault);
            }
            switch (fault) {
                case THROTTLE -> throw new ApiError(429, "RateLimitError", "Rate exceeded (injected)", null);
                case SERVER_ERROR -> throw new ApiError(500, "InternalServerError", "Internal server error (injected)", null);
                case DROP -> {
                    count(op + ".dropped");
                    ex.drop();
                    return;
                }
                case STALL -> slept += sleep(faults.stallMs());
                default -> { }
            }
            SyntheticNetwork net = networks.get(route.networkId());
            if (net == null) {
                throw ApiError.notFound("Network " + route.networkId() + " was not found");
            }
            Map<String, String> q = query(ex.rawQuery);
            byte[] answer = switch (op) {
                case "ListUsers" -> handlers.listUsers(net, q, config.listUsersIncludesBots());
                case "ListGuestUsers" -> handlers.listGuestUsers(net, q);
                case "BatchLookupUserUname" -> handlers.batchLookupUserUname(net, ex.body);
                case "BatchReinviteUser" -> handlers.batchReinviteUser(net, ex.body, ex.header("X-Client-Token"),
                        !config.ignoreClientTokens(), config.reinviteKeepsExpiredFlag());
                case "GetUsersCount" -> handlers.getUsersCount(net, config.usersCountIncludesBots(), faults.usersCountOffset());
                case "GetBotsCount" -> handlers.getBotsCount(net);
                default -> handlers.getGuestUserHistoryCount(net);
            };
            answered(op);
            if (fault == Faults.Kind.MALFORMED) {
                send(ex, 200, java.util.Arrays.copyOf(answer, Math.max(1, answer.length / 2)), null);
            } else if (fault == Faults.Kind.TRUNCATED) {
                ex.respondTruncated(200, headers(null), answer, answer.length / 2);
            } else {
                send(ex, 200, answer, null);
            }
        } catch (ApiError e) {
            count(op + "." + e.status);
            sendError(ex, e);
        } catch (RuntimeException e) {
            log.error("emulator failure while answering {}", op, e);
            count(op + ".500");
            sendError(ex, new ApiError(500, "InternalServerError", "Internal server error", null));
        } finally {
            if (!admin) {
                add("workMicros." + op, (System.nanoTime() - start - slept) / 1_000);
            }
        }
    }

    private byte[] admin(MiniHttpServer.Exchange ex, String path) throws IOException {
        Map<String, String> q = query(ex.rawQuery);
        String[] seg = path.split("/");
        try {
            if (path.equals("stats")) {
                return ApiHandlers.json(g -> {
                    g.writeStartObject();
                    stats().forEach(g::writeNumberProperty);
                    g.writeEndObject();
                });
            }
            if (path.equals("faults") && ex.method.equals("POST")) {
                faults.fail429(dbl(q, "fail429")).fail500(dbl(q, "fail500")).malformed(dbl(q, "malformed"))
                        .truncated(dbl(q, "truncated")).drop(dbl(q, "drop")).stall(dbl(q, "stall"), q.containsKey("stallMs") ? (int) dbl(q, "stallMs") : 5000)
                        .latency((int) dbl(q, "latencyMs"), (int) dbl(q, "latencyJitterMs")).rateLimit(dbl(q, "rateLimit"));
                return "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            }
            if (seg.length == 3 && seg[0].equals("networks") && seg[2].equals("churn") && ex.method.equals("POST")) {
                int d = advanceDays(seg[1], (int) Math.max(1, dbl(q, "days")));
                if (config.prerenderedPages()) {
                    prerender(network(seg[1])); // before the answer: the caller's next night finds the pages ready
                }
                return ("{\"networkId\":\"" + seg[1] + "\",\"day\":" + d + "}").getBytes(StandardCharsets.UTF_8);
            }
            if (seg.length == 3 && seg[0].equals("networks") && seg[2].equals("reinvitations")) {
                network(seg[1]);
                return ApiHandlers.json(g -> {
                    g.writeStartObject();
                    g.writeArrayPropertyStart("reinvitations");
                    for (Reinvitation r : handlers.reinvitations) {
                        if (r.networkId().equals(seg[1])) {
                            g.writeStartObject();
                            g.writeStringProperty("userId", r.userId());
                            g.writeStringProperty("clientToken", r.clientToken());
                            g.writeStringProperty("at", r.at().toString());
                            g.writeEndObject();
                        }
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                });
            }
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        throw ApiError.notFound("No emulator endpoint at " + ADMIN_PREFIX + path);
    }

    private static double dbl(Map<String, String> q, String name) {
        String v = q.get(name);
        try {
            return v == null ? 0 : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + v + "'");
        }
    }

    private void sendError(MiniHttpServer.Exchange ex, ApiError e) throws IOException {
        byte[] body = ApiHandlers.json(g -> {
            g.writeStartObject();
            g.writeStringProperty("message", e.getMessage());
            if (!e.reasons.isEmpty()) {
                g.writeArrayPropertyStart("reasons");
                for (ValidationReason r : e.reasons) {
                    g.writeStartObject();
                    g.writeStringProperty("field", r.field());
                    g.writeStringProperty("reason", r.reason());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
        send(ex, e.status, body, e.name);
    }

    private void send(MiniHttpServer.Exchange ex, int status, byte[] body, String errorName) throws IOException {
        ex.respond(status, headers(errorName), body);
    }

    private Map<String, String> headers(String errorName) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(serviceClock.instant().atZone(ZoneOffset.UTC)));
        h.put("x-amzn-RequestId", UUID.randomUUID().toString());
        if (errorName != null) {
            h.put("X-Amzn-ErrorType", errorName);
        }
        return h;
    }

    static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String p : raw.split("&")) {
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String k = SigV4Verifier.percentDecode(eq < 0 ? p : p.substring(0, eq));
            String v = eq < 0 ? "" : SigV4Verifier.percentDecode(p.substring(eq + 1).replace("+", "%20"));
            q.putIfAbsent(k, v);
        }
        return q;
    }

    private void count(String key) {
        add(key, 1);
    }

    private void add(String key, long n) {
        stats.computeIfAbsent(key, k -> new LongAdder()).add(n);
    }

    /** Sleeps {@code ms} and says for how long, in nanoseconds (the time a call's work does not include). */
    private static long sleep(int ms) {
        if (ms <= 0) {
            return 0;
        }
        long from = System.nanoTime();
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return System.nanoTime() - from;
    }

    /** One line: where the emulator listens and what it serves. */
    public String describe() {
        List<String> nets = new ArrayList<>();
        networks.values().forEach(n -> nets.add(n.networkId));
        return "Wickr Admin API emulator listening on " + endpoint() + " (region " + config.region()
                + ") serving networks " + String.join(",", nets) + " with " + config.users() + " users each, "
                + config.guests() + " guests per period in " + config.effectivePeriods() + "; credentials: access key "
                + config.accessKey() + ", secret key " + (EmulatorConfig.DEFAULT_SECRET_KEY.equals(config.secretKey())
                        ? config.secretKey() + " (the default)" : "as configured (not printed)");
    }

    @Override
    public void close() {
        server.close();
        handlers.closePrerendered();
    }
}
