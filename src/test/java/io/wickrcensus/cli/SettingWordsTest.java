package io.wickrcensus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.job.run.ReinviteSettings;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.parquet.ParquetSettings;
import io.wickrcensus.support.SettingException;
import io.wickrcensus.testing.Cli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The settings speak of themselves; the command line speaks of what the operator wrote. One home
 * for each default and each environment variable.
 */
class SettingWordsTest {

    private static final Path SOURCES = Path.of("src", "main", "java", "io", "wickrcensus");

    private static List<Path> mainSources() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }

    @Test
    void aSettingRefusedInCodeNamesTheSettingAndOnTheCommandLineTheOption() {
        assertThatThrownBy(() -> RunSettings.builder().networkId("net00001").maxAttempts(30).build())
                .isInstanceOf(SettingException.class).hasMessage("maxAttempts must be between 1 and 20, got 30");
        Cli.Result r = Cli.run("run", "--network-id", "net00001", "--max-attempts", "30", "--endpoint", "http://127.0.0.1:9");
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(r.err().strip()).isEqualTo("wickr-census: --max-attempts must be between 1 and 20, got 30");
        r = Cli.run("run", "--network-id", "net00001", "--reinvite-cap", "0", "--endpoint", "http://127.0.0.1:9");
        assertThat(r.err().strip()).isEqualTo("wickr-census: --reinvite-cap must be at least 1, got 0");
        r = Cli.run("run", "--network-id", "net00001", "--parquet-compression", "gzip", "--endpoint", "http://127.0.0.1:9");
        assertThat(r.err().strip()).isEqualTo("wickr-census: --parquet-compression must be zstd, snappy or uncompressed, got 'gzip'");
    }

    /** Once "--reports-dir --output-dir s3://Bad_Bucket/x: ...": a location names the option it came from, and only that one. */
    @Test
    void aBadReportsLocationIsSaidAsTheReportsOption() {
        System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
        System.setProperty("aws.secretAccessKey", "x");
        try {
            Cli.Result r = Cli.run("run", "--network-id", "net00001", "--reports-dir", "s3://Bad_Bucket/x", "--endpoint", "http://127.0.0.1:9");
            assertThat(r.code()).isEqualTo(ExitCodes.BAD_CONFIGURATION);
            assertThat(r.err().strip()).isEqualTo("wickr-census: --reports-dir s3://Bad_Bucket/x: 'Bad_Bucket' is not an S3 bucket name "
                    + "(3 to 63 lower-case letters, digits, '.' and '-')");
            r = Cli.run("run", "--network-id", "net00001", "--output-dir", "s3://Bad_Bucket/x", "--endpoint", "http://127.0.0.1:9");
            assertThat(r.err().strip()).startsWith("wickr-census: --output-dir s3://Bad_Bucket/x: 'Bad_Bucket'");
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    /** Every setting a SettingException names is one the command line can say in the operator's words. */
    @Test
    void everySettingRefusedHasAnOptionOrVariable() throws IOException {
        Pattern thrown = Pattern.compile("new (?:io\\.wickrcensus\\.support\\.)?SettingException\\(\"([A-Za-z.]+)\"");
        TreeSet<String> settings = new TreeSet<>();
        for (Path f : mainSources()) {
            Matcher m = thrown.matcher(Files.readString(f));
            while (m.find()) {
                settings.add(m.group(1));
            }
        }
        assertThat(settings).hasSizeGreaterThan(15);
        assertThat(SettingNames.all().keySet()).containsAll(settings);
        // identifier() in RunSettings.Roles names its setting through a parameter
        assertThat(SettingNames.of("roles.auditor")).isEqualTo("CENSUS_AUDITOR_ROLE");
    }

    /** Environment variables are read in one place, at the edge. */
    @Test
    void onlyTheEnvironmentClassReadsTheEnvironment() throws IOException {
        List<String> readers = new ArrayList<>();
        for (Path f : mainSources()) {
            String src = Files.readString(f);
            if (!f.getFileName().toString().equals("Environment.java")
                    && (src.contains("System.getenv") || src.contains("Map<String, String> env"))) {
                readers.add(SOURCES.relativize(f).toString());
            }
        }
        assertThat(readers).isEmpty();
    }

    /** The defaults the help quotes are the constants the settings use: each written once. */
    @Test
    void theHelpQuotesEachDefaultFromItsOneConstant() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            Main.execute("run", "--help");
        } finally {
            System.setOut(old);
        }
        String help = buf.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        assertThat(help).contains("(default " + ReinviteSettings.DEFAULT_CAP + ")", "(default " + ReinviteSettings.DEFAULT_COOLDOWN_DAYS + ")",
                "(default " + RunSettings.DEFAULT_BILLING_PERIOD_COUNT + ")", "(default " + ParquetSettings.DEFAULT_COMPRESSION + ")",
                "(default " + RunSettings.DEFAULT_MAX_ATTEMPTS + ")", "(default fail)", "(default off)");
        RunSettings built = RunSettings.builder().networkId("net00001").asOf(java.time.LocalDate.parse("2026-11-20")).build();
        assertThat(built.billingPeriods()).hasSize(RunSettings.DEFAULT_BILLING_PERIOD_COUNT);
        assertThat(built.reinvite()).isEqualTo(ReinviteSettings.OFF);
        assertThat(built.reinvite().cap()).isEqualTo(ReinviteSettings.DEFAULT_CAP);
        assertThat(built.parquet()).isEqualTo(ParquetSettings.DEFAULT);
    }

    /** The README's options table quotes the same constants. */
    @Test
    void theReadmeQuotesEachDefaultFromItsOneConstant() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Map<String, Object> defaults = Map.ofEntries(
                Map.entry("--billing-period-count", RunSettings.DEFAULT_BILLING_PERIOD_COUNT),
                Map.entry("--max-attempts", RunSettings.DEFAULT_MAX_ATTEMPTS),
                Map.entry("--parallelism", RunSettings.DEFAULT_PARALLELISM),
                Map.entry("--uname-concurrency", RunSettings.DEFAULT_UNAME_CONCURRENCY),
                Map.entry("--uname-freshness-days", RunSettings.DEFAULT_UNAME_FRESHNESS_DAYS),
                Map.entry("--reconcile", io.wickrcensus.job.run.ReconcileMode.DEFAULT_WORD),
                Map.entry("--reconcile-tolerance", RunSettings.DEFAULT_RECONCILE_TOLERANCE),
                Map.entry("--copy-batch-rows", RunSettings.DEFAULT_COPY_BATCH_ROWS),
                Map.entry("--reinvite", ReinviteSettings.OFF_WORD),
                Map.entry("--reinvite-cap", ReinviteSettings.DEFAULT_CAP),
                Map.entry("--reinvite-cooldown-days", ReinviteSettings.DEFAULT_COOLDOWN_DAYS),
                Map.entry("--parquet-compression", ParquetSettings.DEFAULT_COMPRESSION),
                Map.entry("--parquet-max-file-mb", ParquetSettings.DEFAULT_MAX_FILE_MB),
                Map.entry("--iceberg-expire-days", io.wickrcensus.iceberg.IcebergSettings.DEFAULT_EXPIRE_DAYS),
                Map.entry("--iceberg-compact-files", io.wickrcensus.iceberg.IcebergSettings.DEFAULT_COMPACT_FILES));
        for (var d : defaults.entrySet()) {
            assertThat(readme).as(d.getKey()).contains("| `" + d.getKey() + "` | " + d.getValue() + " |");
        }
    }

    @Test
    void icebergCatalogPropertiesComeFromTheirVariablesAsIcebergNamesThem() {
        Environment env = new Environment(Map.of("CENSUS_ICEBERG_WAREHOUSE", "arn:aws:s3tables:eu-west-1:123:bucket/b",
                "CENSUS_ICEBERG_REST_SIGV4__ENABLED", "true", "CENSUS_ICEBERG_REST_SIGNING__NAME", "s3tables", "CENSUS_ICEBERG", "off",
                "CENSUS_CATALOG", "rest"));
        assertThat(env.icebergProperties()).containsExactly(Map.entry("rest.signing-name", "s3tables"), Map.entry("rest.sigv4-enabled", "true"),
                Map.entry("warehouse", "arn:aws:s3tables:eu-west-1:123:bucket/b"));
        assertThat(env.onOff(Environment.ICEBERG, true)).isFalse();
        assertThatThrownBy(() -> new Environment(Map.of("CENSUS_ICEBERG", "maybe")).onOff(Environment.ICEBERG, true))
                .hasMessageContaining("CENSUS_ICEBERG");
    }

    @Test
    void theEnvironmentIsReadIntoSettings() {
        Environment env = new Environment(Map.of("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000", "CENSUS_S3_PATH_STYLE", "true",
                "CENSUS_S3_REGION", "eu-west-1", "CENSUS_GRACE_DAYS", "5"));
        assertThat(env.s3("us-east-1")).as("a custom endpoint and no checksum setting: checksums only where required")
                .isEqualTo(new io.wickrcensus.parquet.S3Target.Options("eu-west-1", true, true));
        assertThat(new Environment(Map.of("AWS_ENDPOINT_URL", "http://minio:9000", "AWS_REQUEST_CHECKSUM_CALCULATION", "when_supported"))
                .s3("us-east-1")).as("the operator's own checksum setting wins").isEqualTo(new io.wickrcensus.parquet.S3Target.Options(
                        "us-east-1", false, false));
        assertThat(new Environment(Map.of()).s3("us-east-1").checksumsWhenRequired()).as("AWS itself: the SDK's defaults").isFalse();
        assertThat(env.graceDays(3)).isEqualTo(5);
        assertThatThrownBy(() -> new Environment(Map.of("CENSUS_S3_PATH_STYLE", "yes")).s3("us-east-1"))
                .hasMessage("CENSUS_S3_PATH_STYLE must be true or false, got 'yes'");
        assertThatThrownBy(() -> new Environment(Map.of("CENSUS_GRACE_DAYS", "-1")).graceDays(3))
                .hasMessage("CENSUS_GRACE_DAYS must be a whole number of days, got '-1'");
        assertThat(new Environment(Map.of("AWS_DEFAULT_REGION", "eu-central-1")).region(null)).isEqualTo("eu-central-1");
        assertThat(new Environment(Map.of("AWS_REGION", " us-west-2 ")).region(null)).isEqualTo("us-west-2");
    }
}
