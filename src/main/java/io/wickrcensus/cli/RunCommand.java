package io.wickrcensus.cli;

import io.wickrcensus.job.CensusRun;
import io.wickrcensus.job.run.ReconcileMode;
import io.wickrcensus.job.run.ReinviteSettings;
import io.wickrcensus.parquet.ParquetSettings;
import io.wickrcensus.job.run.RunSettings;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/** {@code wickr-census run}: snapshots networks into PostgreSQL, resuming an interrupted run of the same date. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Snapshot Wickr networks (users, guests per billing period, unames) into PostgreSQL.")
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--network-id", required = true, description = "Network to snapshot (repeatable).")
    List<String> networkIds = new ArrayList<>();

    @Option(names = "--as-of", description = "Snapshot date YYYY-MM-DD (default: today, UTC).")
    String asOf;

    @Option(names = "--billing-periods", split = ",", description = "Billing periods to cover, e.g. 2026-10,2026-11.")
    List<String> billingPeriods = new ArrayList<>();

    @Option(names = "--billing-period-count", description = "Cover this many months ending with the as-of month (default 2).")
    Integer billingPeriodCount;

    @Option(names = "--endpoint", description = "Endpoint override, e.g. http://127.0.0.1:8787 for the emulator.")
    String endpoint;

    @Option(names = "--fips", description = "Call the region's FIPS endpoint (default: AWS_USE_FIPS_ENDPOINT, else off).")
    Boolean fips;

    @Option(names = "--dual-stack", description = "Call the region's dual-stack endpoint (default: AWS_USE_DUALSTACK_ENDPOINT, else off).")
    Boolean dualStack;

    @Option(names = "--region", description = "AWS region (default: AWS_REGION, else us-east-1).")
    String region;

    @Option(names = "--max-attempts", description = "Attempts per API call (default " + RunSettings.DEFAULT_MAX_ATTEMPTS + ").")
    Integer maxAttempts;

    @Option(names = "--parallelism", description = "Networks run at once (default " + RunSettings.DEFAULT_PARALLELISM + ").")
    Integer parallelism;

    @Option(names = "--uname-concurrency", description = "Concurrent uname lookups per network (default "
            + RunSettings.DEFAULT_UNAME_CONCURRENCY + ").")
    Integer unameConcurrency;

    @Option(names = "--api-rate", description = "Client-side budget of uname lookups per second, adapting to 429s (default 0: none).")
    Double apiRate;

    @Option(names = "--uname-freshness-days", description = "Do not look up again unames resolved within this many days (default "
            + RunSettings.DEFAULT_UNAME_FRESHNESS_DAYS + ").")
    Integer freshnessDays;

    @Option(names = "--reconcile", defaultValue = "fail",
            description = "When staged and reported counts differ beyond the tolerance: fail (the run, before publishing), warn (publish "
                    + "and flag the run) or off (default ${DEFAULT-VALUE}).")
    String reconcile;

    @Option(names = "--reconcile-tolerance", description = "Largest relative difference between staged and reported counts (default "
            + RunSettings.DEFAULT_RECONCILE_TOLERANCE + ").")
    Double tolerance;

    @Option(names = "--copy-batch-rows", description = "Rows per COPY and commit while staging (default " + RunSettings.DEFAULT_COPY_BATCH_ROWS + ").")
    Integer copyBatchRows;

    @Option(names = "--reinvite", defaultValue = "off", description = "Re-invite pending users whose invitation expired: off, dry-run or on (default ${DEFAULT-VALUE}).")
    String reinvite;

    @Option(names = "--reinvite-group", description = "Re-invite only users of this security group.")
    String reinviteGroup;

    @Option(names = "--reinvite-cap", defaultValue = "500", description = "Re-invite nobody when more than this many users qualify (default ${DEFAULT-VALUE}).")
    int reinviteCap;

    @Option(names = "--reinvite-cooldown-days", defaultValue = "7", description = "Do not re-invite a user re-invited within this many days (default ${DEFAULT-VALUE}).")
    int reinviteCooldownDays;

    @Mixin
    StorageOptions storage = new StorageOptions();

    @Option(names = "--parquet-compression", defaultValue = "zstd", description = "zstd, snappy or uncompressed (default ${DEFAULT-VALUE}).")
    String parquetCompression;

    @Option(names = "--parquet-max-file-mb", description = "Start a new file in a partition past this size (default "
            + ParquetSettings.DEFAULT_MAX_FILE_MB + ").")
    Integer parquetMaxFileMb;

    @Override
    public Integer call() {
        RunSettings settings = settings(System.getenv());
        AwsCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        try {
            credentials.resolveCredentials();
        } catch (SdkClientException e) {
            throw new IllegalArgumentException("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                    + "AWS_PROFILE, or run with a role (web identity, container or instance)");
        }
        return CensusRun.execute(settings, credentials);
    }

    /** The settings from the options and, where an option is not given, the environment; else the documented defaults. */
    RunSettings settings(Map<String, String> env) {
        RunSettings.Builder b = RunSettings.builder().networkIds(networkIds);
        try {
            b.asOf(asOf == null ? null : LocalDate.parse(asOf));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--as-of: '" + asOf + "' is not a date in the form YYYY-MM-DD");
        }
        b.billingPeriods(billingPeriods).billingPeriodCount(billingPeriodCount);
        if (endpoint != null) {
            try {
                b.endpoint(URI.create(endpoint));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--endpoint: '" + endpoint + "' is not a URL");
            }
        }
        String r = region != null ? region : firstSet(env, "AWS_REGION", "AWS_DEFAULT_REGION");
        if (r != null) {
            b.region(r);
        }
        b.fips(fips != null ? fips : flag(env, "AWS_USE_FIPS_ENDPOINT"));
        b.dualStack(dualStack != null ? dualStack : flag(env, "AWS_USE_DUALSTACK_ENDPOINT"));
        String readTimeout = env.get("CENSUS_API_READ_TIMEOUT_MS");
        if (readTimeout != null && !readTimeout.isBlank()) {
            b.apiReadTimeout(Duration.ofMillis(positiveMillis("CENSUS_API_READ_TIMEOUT_MS", readTimeout)));
        }
        String pushgateway = env.get("CENSUS_PUSHGATEWAY_URL");
        if (pushgateway != null && !pushgateway.isBlank()) {
            try {
                b.pushgateway(URI.create(pushgateway.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("CENSUS_PUSHGATEWAY_URL must be http(s)://host:port, got '" + pushgateway + "'");
            }
        }
        b.roles(new RunSettings.Roles(env.get("CENSUS_AUDITOR_ROLE"), env.get("CENSUS_FINANCE_ROLE")));
        b.database(storage.database(env));
        if (maxAttempts != null) {
            b.maxAttempts(maxAttempts);
        }
        if (parallelism != null) {
            b.parallelism(parallelism);
        }
        if (unameConcurrency != null) {
            b.unameConcurrency(unameConcurrency);
        }
        if (apiRate != null) {
            b.apiRatePerSecond(apiRate);
        }
        if (freshnessDays != null) {
            b.unameFreshness(Duration.ofDays(freshnessDays));
        }
        b.reconcile(ReconcileMode.parse(reconcile));
        if (tolerance != null) {
            b.reconcileTolerance(tolerance);
        }
        if (copyBatchRows != null) {
            b.copyBatchRows(copyBatchRows);
        }
        b.reinvite(new ReinviteSettings(ReinviteSettings.parseMode(reinvite), reinviteGroup, reinviteCap, Duration.ofDays(reinviteCooldownDays)));
        return b.parquet(parquetSettings(env)).build();
    }

    private static String firstSet(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }

    /** A boolean environment variable as the AWS SDKs read it: true or false, unset is false. */
    private static boolean flag(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return false;
        }
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false, got '" + v + "'");
        };
    }

    private static long positiveMillis(String name, String v) {
        try {
            long ms = Long.parseLong(v.trim());
            if (ms > 0) {
                return ms;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(name + " must be a positive number of milliseconds, got '" + v + "'");
    }

    private ParquetSettings parquetSettings(Map<String, String> env) {
        ParquetSettings base = storage.parquet(env);
        long maxFile = parquetMaxFileMb != null ? (long) parquetMaxFileMb << 20 : base.maxFileBytes();
        return new ParquetSettings(base.enabled(), base.outputDir(), ParquetSettings.codec(parquetCompression), maxFile, base.rowGroupBytes());
    }
}
