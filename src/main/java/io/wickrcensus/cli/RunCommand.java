package io.wickrcensus.cli;

import io.wickrcensus.job.CensusRun;
import io.wickrcensus.job.run.ReconcileMode;
import io.wickrcensus.job.run.ReinviteSettings;
import io.wickrcensus.parquet.ParquetSettings;
import io.wickrcensus.report.ReportsDirectory;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.job.run.RunSettings;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
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

    @Option(names = "--network-id", description = "Network to snapshot (repeatable; default: CENSUS_NETWORK_IDS, separated by "
            + "spaces or commas). With CENSUS_SHARDS=N, only the networks of shard JOB_COMPLETION_INDEX (a Kubernetes Indexed Job's) "
            + "are run: those whose position modulo N is the index.")
    List<String> networkIds = new ArrayList<>();

    @Option(names = "--reports-dir", description = "After each published network, write its guest-billing and audit reports "
            + "(CSV, JSON, HTML) and an index.html here: a directory or s3://BUCKET/PREFIX (default: CENSUS_REPORTS_DIR, else none).")
    String reportsDir;

    @Option(names = "--complete-is-success", description = "Exit 0 instead of 3 when every snapshot was already published "
            + "(default: CENSUS_COMPLETE_IS_SUCCESS, else off): for schedulers that retry on any other exit code.")
    Boolean completeIsSuccess;

    @Option(names = "--as-of", description = "Snapshot date YYYY-MM-DD (default: today, UTC).")
    String asOf;

    @Option(names = "--billing-periods", split = ",", description = "Billing periods to cover, e.g. 2026-10,2026-11.")
    List<String> billingPeriods = new ArrayList<>();

    @Option(names = "--billing-period-count", description = "Cover this many months ending with the as-of month (default "
            + RunSettings.DEFAULT_BILLING_PERIOD_COUNT + ").")
    Integer billingPeriodCount;

    @Option(names = "--endpoint", description = "Endpoint override, e.g. http://127.0.0.1:8787 for the emulator.")
    String endpoint;

    @Option(names = "--fips", description = "Call the region's FIPS endpoint (default: AWS_USE_FIPS_ENDPOINT, else the AWS profile's "
            + "use_fips_endpoint, else off).")
    Boolean fips;

    @Option(names = "--dual-stack", description = "Call the region's dual-stack endpoint (default: AWS_USE_DUALSTACK_ENDPOINT, else the "
            + "AWS profile's use_dualstack_endpoint, else off).")
    Boolean dualStack;

    @Option(names = "--region", description = "AWS region of the Wickr network (default: AWS_REGION, else the AWS profile's; "
            + "none set is refused).")
    String region;

    @Option(names = "--max-attempts", description = "Attempts per API call (default " + RunSettings.DEFAULT_MAX_ATTEMPTS + ").")
    Integer maxAttempts;

    @Option(names = "--parallelism", description = "Networks run at once (default " + RunSettings.DEFAULT_PARALLELISM + ").")
    Integer parallelism;

    @Option(names = "--uname-concurrency", description = "Concurrent uname lookups per network (default "
            + RunSettings.DEFAULT_UNAME_CONCURRENCY + ").")
    Integer unameConcurrency;

    @Option(names = "--api-rate", description = "Client-side budget of API calls per second for the credentials, shared by every "
            + "network run at once: paging takes its share, uname lookups wait for the rest; halves on a 429 and grows back "
            + "(default 0: none).")
    Double apiRate;

    @Option(names = "--uname-freshness-days", description = "Do not look up again unames resolved within this many days (default "
            + RunSettings.DEFAULT_UNAME_FRESHNESS_DAYS + ").")
    Integer freshnessDays;

    @Option(names = "--reconcile", defaultValue = ReconcileMode.DEFAULT_WORD,
            description = "When staged and reported counts differ beyond the tolerance: fail (the run, before publishing), warn (publish "
                    + "and flag the run) or off (default ${DEFAULT-VALUE}).")
    String reconcile;

    @Option(names = "--reconcile-tolerance", description = "Largest relative difference between staged and reported counts (default "
            + RunSettings.DEFAULT_RECONCILE_TOLERANCE + ").")
    Double tolerance;

    @Option(names = "--copy-batch-rows", description = "Rows per COPY and commit while staging (default " + RunSettings.DEFAULT_COPY_BATCH_ROWS + ").")
    Integer copyBatchRows;

    @Option(names = "--reinvite", defaultValue = ReinviteSettings.OFF_WORD, description = "Re-invite pending users whose invitation expired: off, dry-run or on (default ${DEFAULT-VALUE}).")
    String reinvite;

    @Option(names = "--reinvite-group", description = "Re-invite only users of this security group.")
    String reinviteGroup;

    @Option(names = "--reinvite-cap", description = "Re-invite nobody when more than this many users qualify (default "
            + ReinviteSettings.DEFAULT_CAP + ").")
    int reinviteCap = ReinviteSettings.DEFAULT_CAP;

    @Option(names = "--reinvite-cooldown-days", description = "Do not re-invite a user re-invited within this many days (default "
            + ReinviteSettings.DEFAULT_COOLDOWN_DAYS + ").")
    int reinviteCooldownDays = ReinviteSettings.DEFAULT_COOLDOWN_DAYS;

    @Mixin
    StorageOptions storage = new StorageOptions();

    @Option(names = "--parquet-compression", defaultValue = ParquetSettings.DEFAULT_COMPRESSION, description = "zstd, snappy or uncompressed (default ${DEFAULT-VALUE}).")
    String parquetCompression;

    @Option(names = "--parquet-max-file-mb", description = "Start a new file in a partition past this size (default "
            + ParquetSettings.DEFAULT_MAX_FILE_MB + ").")
    Integer parquetMaxFileMb;

    @Option(names = "--head-starts", hidden = true, defaultValue = OnOff.ON, description = "Start uname lookups while staging pages and "
            + "Parquet partitions beside the steps before their own: on or off (default ${DEFAULT-VALUE}). Off does the same work later; "
            + "the tests use it to prove the head starts are an optimisation only.")
    String headStarts;

    @Override
    public Integer call() {
        Environment env = Environment.current();
        List<String> networks = networks(networkIds, env);
        if (networks.isEmpty()) {
            System.err.println("shard " + env.get(Environment.COMPLETION_INDEX) + " of " + env.get(Environment.SHARDS)
                    + " has no network: nothing to do");
            return ExitCodes.OK;
        }
        networkIds = networks;
        RunSettings settings = settings(env);
        AwsCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        try {
            credentials.resolveCredentials();
        } catch (SdkClientException e) {
            throw new IllegalArgumentException("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                    + "AWS_PROFILE, or run with a role (web identity, container or instance)");
        }
        String reports = reportsDir != null ? reportsDir : env.get(Environment.REPORTS_DIR);
        int code;
        if (reports == null || reports.isBlank()) {
            code = CensusRun.execute(settings, credentials);
        } else {
            try (ReportsDirectory dir = reportsDirectory(reportsDir != null ? "--reports-dir" : Environment.REPORTS_DIR, reports, env,
                    settings.region())) {
                code = CensusRun.execute(settings, credentials, dir);
            }
        }
        boolean zero = completeIsSuccess != null ? completeIsSuccess : env.flag(Environment.COMPLETE_IS_SUCCESS);
        return code == ExitCodes.ALREADY_COMPLETE && zero ? ExitCodes.OK : code;
    }

    /**
     * The reports' directory or bucket, checked now: one line and exit 2 before any API call when it
     * cannot take them; {@code setting} names where the location came from (the option or the variable).
     */
    static ReportsDirectory reportsDirectory(String setting, String location, Environment env, String region) {
        ReportsDirectory dir = new ReportsDirectory(env.root(setting, location, region), env.graceDays(ReportCommand.DEFAULT_GRACE_DAYS));
        String problem = dir.problem();
        if (problem != null) {
            dir.close();
            throw new IllegalArgumentException(setting + " " + location + " cannot hold the reports: " + problem);
        }
        return dir;
    }

    /**
     * The networks this process runs: the options, else CENSUS_NETWORK_IDS; with CENSUS_SHARDS=N,
     * those at positions {@code i} with {@code i % N} equal to JOB_COMPLETION_INDEX (which a
     * Kubernetes Indexed Job sets), so the pods of one Job share the list without a shell.
     */
    static List<String> networks(List<String> options, Environment env) {
        List<String> all = new ArrayList<>(options.isEmpty() ? env.networkIds() : options);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no network named: give --network-id (repeatable) or CENSUS_NETWORK_IDS");
        }
        Long shards = env.positive(Environment.SHARDS, "whole number");
        if (shards == null) {
            return all;
        }
        int n = (int) Math.min(Integer.MAX_VALUE, shards);
        String index = env.get(Environment.COMPLETION_INDEX);
        if (index == null) {
            throw new IllegalArgumentException("CENSUS_SHARDS is set but JOB_COMPLETION_INDEX is not: run it as a Kubernetes Indexed Job");
        }
        int i;
        try {
            i = Integer.parseInt(index);
        } catch (NumberFormatException e) {
            i = -1;
        }
        if (i < 0 || i >= n) {
            throw new IllegalArgumentException("JOB_COMPLETION_INDEX must be 0 to " + (n - 1) + " for CENSUS_SHARDS=" + n + ", got '" + index + "'");
        }
        List<String> mine = new ArrayList<>();
        for (int k = i; k < all.size(); k += n) {
            mine.add(all.get(k));
        }
        return mine;
    }


    /** The settings from the options and, where an option is not given, the environment; else the documented defaults. */
    RunSettings settings(Environment env) {
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
        String r = env.requiredRegion(region);
        b.region(r);
        b.fips(fips != null ? fips : env.fips());
        b.dualStack(dualStack != null ? dualStack : env.dualStack());
        Duration readTimeout = env.apiReadTimeout();
        if (readTimeout != null) {
            b.apiReadTimeout(readTimeout);
        }
        b.pushgateway(env.pushgateway());
        b.roles(env.roles());
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
        b.headStarts(OnOff.parse("--head-starts", headStarts));
        ParquetSettings datasets = parquetSettings(env, r);
        return b.parquet(datasets).iceberg(storage.iceberg(env, datasets)).build();
    }

    private ParquetSettings parquetSettings(Environment env, String jobRegion) {
        ParquetSettings base = storage.parquet(env, jobRegion);
        long maxFile = parquetMaxFileMb != null ? (long) parquetMaxFileMb << 20 : base.maxFileBytes();
        return base.withFiles(ParquetSettings.codec(parquetCompression), maxFile, base.rowGroupBytes());
    }
}
