package io.wickrcensus.job.run;

import io.wickrcensus.db.DatabaseSettings;
import io.wickrcensus.parquet.ParquetSettings;
import io.wickrcensus.support.SettingException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@code run} needs, validated before any API call or database change. Built once,
 * with {@link #builder()}, whose defaults are the ones the README documents; the job reads nothing
 * else (no environment variable, no system property).
 *
 * @param networkIds         the networks to snapshot, each an independent job instance
 * @param asOf               the snapshot date (UTC); with the network, it names the run
 * @param billingPeriods     the guest billing periods covered, oldest first
 * @param region             AWS region of the Wickr Admin API
 * @param endpoint           endpoint override, or null for the region's endpoint
 * @param fips               call the region's FIPS endpoint
 * @param dualStack          call the region's dual-stack endpoint
 * @param maxAttempts        attempts per API call
 * @param apiReadTimeout     how long the client waits for an answer to start
 * @param parallelism        networks run at once
 * @param unameConcurrency   concurrent BatchLookupUserUname calls per network
 * @param apiRatePerSecond   client-side budget of Wickr Admin API calls per second for the
 *                           credentials (0: none), as the service enforces its limit: one budget
 *                           shared by every network the process runs at once. Paging takes its
 *                           share without waiting (it is the critical path); uname lookups wait for
 *                           what is left. It halves on a 429 and grows back.
 * @param unameFreshness     unames resolved within this window are not looked up again
 * @param reconcile          what a difference beyond the tolerance does: fail the run, warn, or nothing
 * @param reconcileTolerance the largest relative difference between staged and reported counts
 * @param copyBatchRows      rows per COPY into staging (and per committed chunk)
 * @param database           which PostgreSQL (configured, or embedded with its data directory)
 * @param roles              the database roles the migrations grant to auditors and finance
 * @param pushgateway        the Prometheus Pushgateway the metrics are pushed to, or null
 * @param reinvite           the opt-in re-invitation of pending users whose invitation expired
 * @param parquet            where and how the Parquet datasets are written
 * @param headStarts         whether the work that can start early does (uname lookups while
 *                           staging pages, Parquet partitions written beside the steps before
 *                           their own): an optimisation only, off for tests that prove it one
 * @param iceberg            the Iceberg tables: on or off, their catalog and warehouse
 */
public record RunSettings(
        List<String> networkIds,
        LocalDate asOf,
        List<YearMonth> billingPeriods,
        String region,
        URI endpoint,
        boolean fips,
        boolean dualStack,
        int maxAttempts,
        Duration apiReadTimeout,
        int parallelism,
        int unameConcurrency,
        double apiRatePerSecond,
        Duration unameFreshness,
        ReconcileMode reconcile,
        double reconcileTolerance,
        int copyBatchRows,
        DatabaseSettings database,
        Roles roles,
        URI pushgateway,
        ReinviteSettings reinvite,
        ParquetSettings parquet,
        boolean headStarts,
        io.wickrcensus.iceberg.IcebergSettings iceberg) {

    public static final String DEFAULT_REGION = "us-east-1";
    public static final int DEFAULT_BILLING_PERIOD_COUNT = 2;
    public static final int DEFAULT_MAX_ATTEMPTS = 8;
    public static final int DEFAULT_API_READ_TIMEOUT_MS = 30_000;
    public static final int DEFAULT_PARALLELISM = 2;
    public static final int DEFAULT_UNAME_CONCURRENCY = 8;
    public static final int DEFAULT_UNAME_FRESHNESS_DAYS = 30;
    public static final double DEFAULT_RECONCILE_TOLERANCE = 0.005;
    public static final int DEFAULT_COPY_BATCH_ROWS = 5000;

    /**
     * The roles the migrations create (if missing) and grant: auditors read the snapshot views,
     * finance the billing views only. They are written into SQL, so they must be plain identifiers.
     */
    public record Roles(String auditor, String finance) {

        public static final String DEFAULT_AUDITOR = "census_auditor";
        public static final String DEFAULT_FINANCE = "census_finance";
        public static final Roles DEFAULT = new Roles(DEFAULT_AUDITOR, DEFAULT_FINANCE);

        public Roles {
            auditor = identifier("roles.auditor", auditor == null || auditor.isBlank() ? DEFAULT_AUDITOR : auditor);
            finance = identifier("roles.finance", finance == null || finance.isBlank() ? DEFAULT_FINANCE : finance);
        }

        private static String identifier(String what, String name) {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
                throw new SettingException(what, "must be a plain role name (letters, digits, '_'), got '" + name + "'");
            }
            return name;
        }
    }

    public RunSettings {
        iceberg = iceberg == null ? io.wickrcensus.iceberg.IcebergSettings.OFF : iceberg;
        networkIds = List.copyOf(new LinkedHashSet<>(Objects.requireNonNull(networkIds, "networkIds")));
        billingPeriods = List.copyOf(billingPeriods);
        if (networkIds.isEmpty()) {
            throw new SettingException("networkIds", "names no network: give at least one");
        }
        for (String id : networkIds) {
            String problem = io.wickrcensus.api.WickrAdminClient.networkIdProblem(id);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        Objects.requireNonNull(asOf, "asOf");
        LocalDate tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1);
        if (asOf.isAfter(tomorrow)) {
            throw new SettingException("asOf", asOf + " is in the future: the API gives only today's state, so a snapshot "
                    + "can be taken as of today (UTC) or, near midnight, tomorrow; not after " + tomorrow);
        }
        if (billingPeriods.isEmpty()) {
            throw new SettingException("billingPeriods", "names no billing period to cover");
        }
        if (!io.wickrcensus.api.WickrClientConfig.isRegionName(region)) {
            throw new SettingException("region", "'" + region + "' is not an AWS region name such as us-east-1");
        }
        if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null
                || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https")))) {
            throw new SettingException("endpoint", "'" + endpoint + "' is not an http(s) URL");
        }
        if (endpoint != null && (fips || dualStack)) {
            throw new SettingException("endpoint", "cannot be combined with " + (fips ? "the FIPS endpoint" : "the dual-stack endpoint")
                    + ": a custom endpoint is used as it is (the AWS SDKs refuse the combination too)");
        }
        if (maxAttempts < 1 || maxAttempts > 20) {
            throw new SettingException("maxAttempts", "must be between 1 and 20, got " + maxAttempts);
        }
        if (apiReadTimeout == null || apiReadTimeout.isNegative() || apiReadTimeout.isZero()) {
            throw new SettingException("apiReadTimeout", "must be a positive number of milliseconds");
        }
        if (parallelism < 1 || parallelism > 64) {
            throw new SettingException("parallelism", "must be between 1 and 64, got " + parallelism);
        }
        if (unameConcurrency < 1 || unameConcurrency > 64) {
            throw new SettingException("unameConcurrency", "must be between 1 and 64, got " + unameConcurrency);
        }
        if (!(apiRatePerSecond >= 0) || Double.isInfinite(apiRatePerSecond)) { // NaN too
            throw new SettingException("apiRatePerSecond", "must be a number of calls per second, 0 or more, got " + apiRatePerSecond);
        }
        if (unameFreshness.isNegative()) {
            throw new SettingException("unameFreshness", "must not be negative");
        }
        reconcile = reconcile == null ? ReconcileMode.FAIL : reconcile;
        if (!(reconcileTolerance >= 0 && reconcileTolerance <= 1)) { // NaN too
            throw new SettingException("reconcileTolerance", "must be a fraction between 0 and 1, got " + reconcileTolerance);
        }
        if (copyBatchRows < 100) {
            throw new SettingException("copyBatchRows", "must be at least 100 rows, got " + copyBatchRows);
        }
        Objects.requireNonNull(database, "database");
        roles = roles == null ? Roles.DEFAULT : roles;
        if (pushgateway != null && (pushgateway.getHost() == null
                || !("http".equals(pushgateway.getScheme()) || "https".equals(pushgateway.getScheme())))) {
            throw new SettingException("pushgateway", "must be http(s)://host:port, got '" + pushgateway + "'");
        }
        reinvite = reinvite == null ? ReinviteSettings.OFF : reinvite;
        parquet = parquet == null ? ParquetSettings.DEFAULT : parquet;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link RunSettings}; every setting not given takes its documented default. */
    public static final class Builder {
        private final List<String> networkIds = new ArrayList<>();
        private LocalDate asOf;
        private List<String> billingPeriods;
        private Integer billingPeriodCount;
        private String region = DEFAULT_REGION;
        private URI endpoint;
        private boolean fips;
        private boolean dualStack;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration apiReadTimeout = Duration.ofMillis(DEFAULT_API_READ_TIMEOUT_MS);
        private int parallelism = DEFAULT_PARALLELISM;
        private int unameConcurrency = DEFAULT_UNAME_CONCURRENCY;
        private double apiRatePerSecond;
        private Duration unameFreshness = Duration.ofDays(DEFAULT_UNAME_FRESHNESS_DAYS);
        private ReconcileMode reconcile = ReconcileMode.FAIL;
        private double reconcileTolerance = DEFAULT_RECONCILE_TOLERANCE;
        private int copyBatchRows = DEFAULT_COPY_BATCH_ROWS;
        private DatabaseSettings database = DatabaseSettings.embedded(Path.of(DatabaseSettings.DEFAULT_DATA_DIR));
        private Roles roles = Roles.DEFAULT;
        private URI pushgateway;
        private io.wickrcensus.iceberg.IcebergSettings iceberg = io.wickrcensus.iceberg.IcebergSettings.OFF;
        private ReinviteSettings reinvite = ReinviteSettings.OFF;
        private ParquetSettings parquet = ParquetSettings.DEFAULT;
        private boolean headStarts = true;

        private Builder() {
        }

        public Builder networkIds(List<String> ids) {
            networkIds.addAll(ids);
            return this;
        }

        public Builder networkId(String id) {
            networkIds.add(id);
            return this;
        }

        /** The snapshot date; default today (UTC). */
        public Builder asOf(LocalDate date) {
            this.asOf = date;
            return this;
        }

        /** These billing periods (YYYY-MM); default the {@link #billingPeriodCount} months ending with the as-of month. */
        public Builder billingPeriods(List<String> periods) {
            this.billingPeriods = periods == null || periods.isEmpty() ? null : List.copyOf(periods);
            return this;
        }

        public Builder billingPeriodMonths(List<YearMonth> periods) {
            return billingPeriods(periods.stream().map(YearMonth::toString).toList());
        }

        /** How many months ending with the as-of month to cover (default 2), unless periods are given. */
        public Builder billingPeriodCount(Integer count) {
            this.billingPeriodCount = count;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        public Builder fips(boolean on) {
            this.fips = on;
            return this;
        }

        public Builder dualStack(boolean on) {
            this.dualStack = on;
            return this;
        }

        public Builder maxAttempts(int n) {
            this.maxAttempts = n;
            return this;
        }

        public Builder apiReadTimeout(Duration timeout) {
            this.apiReadTimeout = timeout;
            return this;
        }

        public Builder parallelism(int n) {
            this.parallelism = n;
            return this;
        }

        public Builder unameConcurrency(int n) {
            this.unameConcurrency = n;
            return this;
        }

        public Builder apiRatePerSecond(double rate) {
            this.apiRatePerSecond = rate;
            return this;
        }

        public Builder unameFreshness(Duration freshness) {
            this.unameFreshness = freshness;
            return this;
        }

        public Builder reconcile(ReconcileMode mode) {
            this.reconcile = mode;
            return this;
        }

        public Builder reconcileTolerance(double tolerance) {
            this.reconcileTolerance = tolerance;
            return this;
        }

        public Builder copyBatchRows(int rows) {
            this.copyBatchRows = rows;
            return this;
        }

        public Builder database(DatabaseSettings database) {
            this.database = database;
            return this;
        }

        public Builder roles(Roles roles) {
            this.roles = roles;
            return this;
        }

        public Builder pushgateway(URI url) {
            this.pushgateway = url;
            return this;
        }

        public Builder reinvite(ReinviteSettings reinvite) {
            this.reinvite = reinvite;
            return this;
        }

        public Builder parquet(ParquetSettings parquet) {
            this.parquet = parquet;
            return this;
        }

        /** The Iceberg tables (default off here; the command line turns them on). */
        public Builder iceberg(io.wickrcensus.iceberg.IcebergSettings iceberg) {
            this.iceberg = iceberg;
            return this;
        }

        /** Whether the head starts run (default on); see {@link RunSettings#headStarts}. */
        public Builder headStarts(boolean on) {
            this.headStarts = on;
            return this;
        }

        /** Validates and builds; throws {@link IllegalArgumentException} with one line naming the setting. */
        public RunSettings build() {
            LocalDate date = asOf != null ? asOf : LocalDate.now(ZoneOffset.UTC);
            return new RunSettings(networkIds, date, BillingPeriods.resolve(date, billingPeriods, billingPeriodCount), region,
                    endpoint, fips, dualStack, maxAttempts, apiReadTimeout, parallelism, unameConcurrency, apiRatePerSecond, unameFreshness,
                    reconcile, reconcileTolerance, copyBatchRows, database, roles, pushgateway, reinvite, parquet, headStarts, iceberg);
        }
    }
}
