package io.wickrcensus.emulator;

import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * What the emulator serves and how. {@code networkIds} empty means {@code networks} ids derived
 * from the seed; {@code periods} empty means the current month and the two before it (UTC).
 */
public record EmulatorConfig(
        String bindAddress,
        int port,
        long seed,
        int networks,
        List<String> networkIds,
        int users,
        int guests,
        List<YearMonth> periods,
        String accessKey,
        String secretKey,
        String region,
        int latencyMs,
        int latencyJitterMs,
        double fail429,
        double fail500,
        double malformed,
        double truncated,
        double drop,
        double rateLimit,
        int churnDays,
        double churnRate,
        Clock clock,
        boolean usersCountIncludesBots,
        long clockSkewSeconds,
        boolean ignoreClientTokens,
        boolean guestVariation,
        boolean listUsersIncludesBots,
        boolean reinviteKeepsExpiredFlag,
        ExpiredSignature expiredSignature,
        boolean prerenderedPages) {

    /**
     * How the service answers a request signed too far from its own time. The model does not say;
     * AWS services answer in each of these ways.
     */
    public enum ExpiredSignature {
        /** 403 ForbiddenError (the model's error for a refused signature). */
        FORBIDDEN(403, "ForbiddenError"),
        /** 400 RequestExpired: the AWS SDKs take it as clock skew at any status. */
        REQUEST_EXPIRED(400, "RequestExpired"),
        /** 400 InvalidSignatureException: the AWS SDKs take it as clock skew when the Date header is minutes off. */
        INVALID_SIGNATURE(400, "InvalidSignatureException");

        public final int status;
        public final String errorType;

        ExpiredSignature(int status, String errorType) {
            this.status = status;
            this.errorType = errorType;
        }
    }

    /** The AWS documentation's example secret key: what the emulator accepts unless told otherwise. */
    public static final String DEFAULT_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    public EmulatorConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(region, "region");
        expiredSignature = expiredSignature == null ? ExpiredSignature.FORBIDDEN : expiredSignature;
        clock = clock == null ? Clock.systemUTC() : clock;
        networkIds = networkIds == null ? List.of() : List.copyOf(new LinkedHashSet<>(networkIds));
        periods = periods == null ? List.of() : List.copyOf(periods);
        require(port >= 0 && port <= 65535, "port must be between 0 and 65535");
        require(networks >= 1, "networks must be at least 1");
        require(users >= 0, "users must not be negative");
        require(guests >= 0, "guests must not be negative");
        require(churnDays >= 0, "churn days must not be negative");
        require(churnRate >= 0 && churnRate <= 0.5, "churn rate must be between 0 and 0.5");
        require(!accessKey.isBlank() && !secretKey.isBlank(), "access key and secret key must not be blank");
        for (String id : networkIds) {
            String problem = io.wickrcensus.api.WickrAdminClient.networkIdProblem(id);
            require(problem == null, problem);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The network ids served. */
    public List<String> effectiveNetworkIds() {
        if (!networkIds.isEmpty()) {
            return networkIds;
        }
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        for (long k = 0; ids.size() < networks; k++) {
            ids.add(Long.toString(10_000_000L + Long.remainderUnsigned(Mix.hash(seed, k, 0, 77), 90_000_000L)));
        }
        return new ArrayList<>(ids);
    }

    /** The billing periods served, oldest first. */
    public List<YearMonth> effectivePeriods() {
        if (!periods.isEmpty()) {
            return periods.stream().sorted().distinct().toList();
        }
        YearMonth now = YearMonth.now(clock.withZone(ZoneOffset.UTC));
        return List.of(now.minusMonths(2), now.minusMonths(1), now);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String bindAddress = "127.0.0.1";
        private int port = 0;
        private long seed = 42;
        private int networks = 1;
        private List<String> networkIds = List.of();
        private int users = 1000;
        private int guests = 200;
        private List<YearMonth> periods = List.of();
        private String accessKey = "AKIDEXAMPLE";
        private String secretKey = DEFAULT_SECRET_KEY;
        private String region = "us-east-1";
        private int latencyMs;
        private int latencyJitterMs;
        private double fail429;
        private double fail500;
        private double malformed;
        private double truncated;
        private double drop;
        private double rateLimit;
        private int churnDays;
        private double churnRate = 0.01;
        private Clock clock;
        private boolean usersCountIncludesBots;
        private long clockSkewSeconds;
        private boolean ignoreClientTokens;
        private boolean guestVariation;
        private boolean listUsersIncludesBots = true;
        private boolean reinviteKeepsExpiredFlag;
        private ExpiredSignature expiredSignature = ExpiredSignature.FORBIDDEN;
        private boolean prerenderedPages;

        public Builder bindAddress(String v) { bindAddress = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder networks(int v) { networks = v; return this; }
        public Builder networkIds(List<String> v) { networkIds = v; return this; }
        public Builder users(int v) { users = v; return this; }
        public Builder guests(int v) { guests = v; return this; }
        public Builder periods(List<YearMonth> v) { periods = v; return this; }
        public Builder accessKey(String v) { accessKey = v; return this; }
        public Builder secretKey(String v) { secretKey = v; return this; }
        public Builder region(String v) { region = v; return this; }
        public Builder latencyMs(int v) { latencyMs = v; return this; }
        public Builder latencyJitterMs(int v) { latencyJitterMs = v; return this; }
        public Builder fail429(double v) { fail429 = v; return this; }
        public Builder fail500(double v) { fail500 = v; return this; }
        public Builder malformed(double v) { malformed = v; return this; }
        public Builder truncated(double v) { truncated = v; return this; }
        public Builder drop(double v) { drop = v; return this; }
        public Builder rateLimit(double v) { rateLimit = v; return this; }
        public Builder churnDays(int v) { churnDays = v; return this; }
        public Builder churnRate(double v) { churnRate = v; return this; }
        public Builder clock(Clock v) { clock = v; return this; }
        /** Whether GetUsersCount's figures count the bots ListUsers lists (default: not; GetBotsCount counts them). */
        public Builder usersCountIncludesBots(boolean v) { usersCountIncludesBots = v; return this; }
        /** Run the emulator's clock this many seconds off (a client with a skewed clock, seen from the service). */
        public Builder clockSkewSeconds(long v) { clockSkewSeconds = v; return this; }
        /** Treat a repeated X-Client-Token as a new request (the model marks it an idempotency token but does not say for how long one is remembered). */
        public Builder ignoreClientTokens(boolean v) { ignoreClientTokens = v; return this; }
        /**
         * Vary the guests from period to period with the seed (growth, seasonality, a quiet month;
         * some guests return after a period away); {@code guests} is then the latest period's
         * count. Off: every period holds {@code guests}.
         */
        public Builder guestVariation(boolean v) { guestVariation = v; return this; }
        /**
         * Whether ListUsers lists the bots (default: it does). The model does not say; it has a
         * ListBots of its own, and documents {@code isUser} as "as opposed to a bot".
         */
        public Builder listUsersIncludesBots(boolean v) { listUsersIncludesBots = v; return this; }
        /**
         * A re-invited user keeps {@code isInviteExpired} true (default: the invitation is fresh
         * again). The model does not say a re-invitation clears the flag.
         */
        public Builder reinviteKeepsExpiredFlag(boolean v) { reinviteKeepsExpiredFlag = v; return this; }
        /** How a request signed too far from the service's time is refused (default: 403 ForbiddenError). */
        public Builder expiredSignature(ExpiredSignature v) { expiredSignature = v; return this; }

        /**
         * Render each network's plain ListUsers listing (pages of 100, no filter or sort: what the
         * census job asks for) ahead, at start and after each churn through the steering endpoint,
         * into a temporary file (about 0.4 KB a user), and answer from it while the network is
         * unchanged: a benchmark's emulator then spends that CPU before the clock. Off by default.
         */
        public Builder prerenderedPages(boolean v) { prerenderedPages = v; return this; }

        public EmulatorConfig build() {
            return new EmulatorConfig(bindAddress, port, seed, networks, networkIds, users, guests, periods, accessKey,
                    secretKey, region, latencyMs, latencyJitterMs, fail429, fail500, malformed, truncated, drop,
                    rateLimit, churnDays, churnRate, clock, usersCountIncludesBots, clockSkewSeconds, ignoreClientTokens,
                    guestVariation, listUsersIncludesBots, reinviteKeepsExpiredFlag,
                    expiredSignature, prerenderedPages);
        }
    }
}
