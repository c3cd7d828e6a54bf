package io.wickrcensus.cli;

import io.wickrcensus.job.BillingPeriods;
import io.wickrcensus.job.CensusRun;
import io.wickrcensus.job.ReinviteSettings;
import io.wickrcensus.parquet.ParquetSettings;
import io.wickrcensus.job.RunSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

    @Option(names = "--region", description = "AWS region (default: AWS_REGION, else us-east-1).")
    String region;

    @Option(names = "--max-attempts", defaultValue = "8", description = "Attempts per API call (default ${DEFAULT-VALUE}).")
    int maxAttempts;

    @Option(names = "--parallelism", defaultValue = "2", description = "Networks run at once (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--uname-concurrency", defaultValue = "8", description = "Concurrent uname lookups per network (default ${DEFAULT-VALUE}).")
    int unameConcurrency;

    @Option(names = "--api-rate", defaultValue = "0", description = "Client-side budget of uname lookups per second, adapting to 429s (0: none).")
    double apiRate;

    @Option(names = "--uname-freshness-days", defaultValue = "30", description = "Do not look up again unames resolved within this many days (default ${DEFAULT-VALUE}).")
    int freshnessDays;

    @Option(names = "--reconcile-tolerance", defaultValue = "0.005", description = "Largest relative difference between staged and reported counts (default ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--copy-batch-rows", defaultValue = "5000", description = "Rows per COPY and commit while staging (default ${DEFAULT-VALUE}).")
    int copyBatchRows;

    @Option(names = "--reinvite", defaultValue = "off", description = "Re-invite pending users whose invitation expired: off, dry-run or on (default ${DEFAULT-VALUE}).")
    String reinvite;

    @Option(names = "--reinvite-group", description = "Re-invite only users of this security group.")
    String reinviteGroup;

    @Option(names = "--reinvite-cap", defaultValue = "500", description = "Re-invite nobody when more than this many users qualify (default ${DEFAULT-VALUE}).")
    int reinviteCap;

    @Option(names = "--reinvite-cooldown-days", defaultValue = "7", description = "Do not re-invite a user re-invited within this many days (default ${DEFAULT-VALUE}).")
    int reinviteCooldownDays;

    @Option(names = "--parquet", defaultValue = "on", description = "Write the Parquet datasets: on or off (default ${DEFAULT-VALUE}).")
    String parquet;

    @Option(names = "--output-dir", description = "Root of the Parquet datasets (default: CENSUS_OUTPUT_DIR, else census-data/parquet).")
    Path outputDir;

    @Option(names = "--parquet-compression", defaultValue = "zstd", description = "zstd, snappy or uncompressed (default ${DEFAULT-VALUE}).")
    String parquetCompression;

    @Option(names = "--parquet-max-file-mb", defaultValue = "512", description = "Start a new file in a partition past this size (default ${DEFAULT-VALUE}).")
    int parquetMaxFileMb;

    @Option(names = "--data-dir", defaultValue = "census-data/postgres", description = "Data directory of the embedded PostgreSQL, used when CENSUS_DB_URL is not set (default ${DEFAULT-VALUE}).")
    Path dataDir;

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
        return CensusRun.execute(settings, credentials, System.getenv());
    }

    RunSettings settings(Map<String, String> env) {
        LocalDate date;
        try {
            date = asOf == null ? LocalDate.now(ZoneOffset.UTC) : LocalDate.parse(asOf);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--as-of: '" + asOf + "' is not a date in the form YYYY-MM-DD");
        }
        URI uri = null;
        if (endpoint != null) {
            try {
                uri = URI.create(endpoint);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--endpoint: '" + endpoint + "' is not a URL");
            }
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("--endpoint: '" + endpoint + "' is not an http(s) URL");
            }
        }
        String r = region != null ? region : env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1"));
        if (!r.matches("[a-z]{2}(-[a-z0-9]+)+-\\d+")) {
            throw new IllegalArgumentException("--region: '" + r + "' is not an AWS region name such as us-east-1");
        }
        return new RunSettings(networkIds, date, BillingPeriods.resolve(date, billingPeriods, billingPeriodCount), r, uri,
                maxAttempts, parallelism, unameConcurrency, apiRate, Duration.ofDays(freshnessDays), tolerance, copyBatchRows, dataDir,
                new ReinviteSettings(ReinviteSettings.parseMode(reinvite), reinviteGroup, reinviteCap, Duration.ofDays(reinviteCooldownDays)),
                parquetSettings(env));
    }

    private ParquetSettings parquetSettings(Map<String, String> env) {
        if (!parquet.equals("on") && !parquet.equals("off")) {
            throw new IllegalArgumentException("--parquet must be on or off, got '" + parquet + "'");
        }
        Path dir = outputDir != null ? outputDir
                : Path.of(env.getOrDefault("CENSUS_OUTPUT_DIR", Path.of("census-data", "parquet").toString()));
        return new ParquetSettings(parquet.equals("on"), dir, ParquetSettings.codec(parquetCompression),
                (long) parquetMaxFileMb << 20, 64L << 20);
    }
}
