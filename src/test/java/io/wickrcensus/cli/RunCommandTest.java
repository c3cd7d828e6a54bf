package io.wickrcensus.cli;

import io.wickrcensus.job.run.ExitCodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.emulator.EmulatorConfig;
import io.wickrcensus.emulator.WickrEmulator;
import io.wickrcensus.testing.Cli;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input to {@code run} is refused with one line and exit code 2, before any API call. */
class RunCommandTest {

    static WickrEmulator emulator;
    static String endpoint;

    @BeforeAll
    static void start() throws Exception {
        emulator = WickrEmulator.start(EmulatorConfig.builder().users(10).build());
        endpoint = emulator.endpoint().toString();
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @AfterEach
    void clean() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        System.clearProperty("spring.datasource.url");
        System.clearProperty("aws.disableEc2Metadata");
        assertThat(emulator.stats()).as("no API call was made").isEmpty();
    }

    private String err;

    private static List<String> networks(List<String> options, java.util.Map<String, String> env) {
        return RunCommand.networks(options, new Environment(env));
    }

    private int run(String... args) {
        Cli.Result r = Cli.run(args);
        err = r.err();
        return r.code();
    }

    /** With {@code aws.region} cleared and {@code aws.configFile} holding {@code profile}, what {@code body} gives. */
    private static <T> T withoutTheTestRegion(String profile, java.util.concurrent.Callable<T> body) throws Exception {
        String region = System.clearProperty("aws.region");
        java.nio.file.Path config = io.wickrcensus.testing.TestFiles.log("aws-config");
        java.nio.file.Files.writeString(config, profile);
        System.setProperty("aws.configFile", config.toString());
        try {
            return body.call();
        } finally {
            System.setProperty("aws.region", region);
            System.clearProperty("aws.configFile");
        }
    }

    @Test
    void noRegionIsRefusedNotGuessed() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("AWS_REGION") == null && System.getenv("AWS_DEFAULT_REGION") == null
                && System.getenv("AWS_PROFILE") == null, "this test's environment names a region");
        assertThat(withoutTheTestRegion("", () -> run("run", "--network-id", "net00001", "--endpoint", endpoint)))
                .isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err.strip()).isEqualTo("wickr-census: no AWS region is set: set AWS_REGION or pass --region (the Wickr network's "
                + "region, such as us-east-1), or give the AWS profile a region");
    }

    @Test
    void theAwsProfileGivesTheRegionAndTheEndpointVariantsWhereNothingElseDoes() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("AWS_REGION") == null && System.getenv("AWS_DEFAULT_REGION") == null
                && System.getenv("AWS_PROFILE") == null && System.getenv("AWS_USE_FIPS_ENDPOINT") == null
                && System.getenv("AWS_USE_DUALSTACK_ENDPOINT") == null, "this test's environment sets these");
        Environment env = new Environment(java.util.Map.of());
        withoutTheTestRegion("[default]\nregion = eusc-de-east-1\nuse_fips_endpoint = true\nuse_dualstack_endpoint = true\n", () -> {
            assertThat(env.region(null)).isEqualTo("eusc-de-east-1");
            assertThat(env.fips()).isTrue();
            assertThat(env.dualStack()).isTrue();
            assertThat(env.region("us-west-2")).as("the option first").isEqualTo("us-west-2");
            assertThat(new Environment(java.util.Map.of("AWS_USE_FIPS_ENDPOINT", "false")).fips()).as("the variable before the profile").isFalse();
            return null;
        });
        withoutTheTestRegion("[default]\nuse_fips_endpoint = maybe\n", () -> {
            org.assertj.core.api.Assertions.assertThatThrownBy(env::fips).hasMessageStartingWith("AWS_USE_FIPS_ENDPOINT (or its AWS profile setting)");
            return null;
        });
    }

    @Test
    void aMalformedDate() {
        assertThat(run("run", "--network-id", "net00001", "--as-of", "2026-13-01", "--endpoint", endpoint)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err.strip()).isEqualTo("wickr-census: --as-of: '2026-13-01' is not a date in the form YYYY-MM-DD");
    }

    @Test
    void aMalformedPeriod() {
        assertThat(run("run", "--network-id", "net00001", "--billing-periods", "2026-1", "--endpoint", endpoint)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err).contains("'2026-1' is not a billing period in the form YYYY-MM").hasLineCount(1);
    }

    @Test
    void anUnknownOptionOrBadValues() {
        assertThat(run("run", "--network-id", "net00001", "--frobnicate")).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(run("run", "--network-id", "bad id", "--endpoint", endpoint)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(run("run", "--network-id", "net00001", "--region", "moon", "--endpoint", endpoint)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(run("run", "--network-id", "net00001", "--fips", "--endpoint", endpoint)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err).contains("--endpoint cannot be combined with the FIPS endpoint").hasLineCount(1);
        assertThat(run("run", "--network-id", "net00001", "--billing-periods", "2026-10", "--billing-period-count", "3")).isEqualTo(ExitCodes.BAD_CONFIGURATION);
    }

    @Test
    void aNetworkIdThatIsNotEightCharacters() {
        for (String id : new String[] {"1", "1234567", "123456789", "net 0001"}) {
            assertThat(run("run", "--network-id", id, "--endpoint", endpoint)).as(id).isEqualTo(ExitCodes.BAD_CONFIGURATION);
            assertThat(err).contains("network id '" + id + "' must be exactly 8 characters").hasLineCount(1);
        }
    }

    @Test
    void anAsOfAfterTomorrowIsATypoNotASnapshot() {
        String future = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(2).toString();
        assertThat(run("run", "--network-id", "net00001", "--as-of", future, "--endpoint", endpoint))
                .isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err).contains("--as-of " + future + " is in the future").hasLineCount(1);
        assertThat(run("run", "--network-id", "net00001", "--as-of", "2030-01-01", "--endpoint", endpoint))
                .isEqualTo(ExitCodes.BAD_CONFIGURATION);
    }

    @Test
    void notANumberIsNotARateOrATolerance() {
        assertThat(run("run", "--network-id", "net00001", "--api-rate", "NaN", "--endpoint", endpoint)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err).contains("--api-rate").hasLineCount(1);
        assertThat(run("run", "--network-id", "net00001", "--reconcile-tolerance", "NaN", "--endpoint", endpoint))
                .isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err).contains("--reconcile-tolerance").hasLineCount(1);
        assertThat(run("run", "--network-id", "net00001", "--reconcile", "maybe", "--endpoint", endpoint))
                .isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err).contains("--reconcile must be fail, warn or off").hasLineCount(1);
    }

    @Test
    void anOutputDirThatCannotHoldTheDatasetsIsRefusedBeforeAnyCall() throws Exception {
        System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
        System.setProperty("aws.secretAccessKey", "x");
        System.setProperty("spring.datasource.url", io.wickrcensus.testing.TestDatabases.newDatabase("outdir"));
        java.nio.file.Path file = io.wickrcensus.testing.TestFiles.log("not-a-directory");
        for (java.nio.file.Path out : List.of(file, file.resolve("parquet"))) {
            assertThat(run("run", "--network-id", emulator.networkIds().get(0), "--endpoint", endpoint, "--output-dir", out.toString()))
                    .isEqualTo(ExitCodes.BAD_CONFIGURATION);
            assertThat(err).contains("--output-dir " + out + " cannot hold the Parquet datasets: ");
        }
        assertThat(err).contains("not a directory");
    }

    @Test
    void anOutputUrlThatIsNotS3OrABucketNameThatIsNotOneIsRefusedInOneLine() {
        assertThat(run("run", "--network-id", "net00001", "--endpoint", endpoint, "--output-dir", "https://bucket/prefix"))
                .isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err).contains("is a URL").contains("s3://BUCKET/PREFIX").hasLineCount(1);
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("https:"))).isFalse();
        assertThat(run("run", "--network-id", "net00001", "--endpoint", endpoint, "--output-dir", "s3://Finance_Data/census"))
                .isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err).contains("'Finance_Data' is not an S3 bucket name").hasLineCount(1);
    }

    @Test
    void networksComeFromTheEnvironmentAndAnIndexedJobShardsThem() {
        List<String> eight = List.of("net00001", "net00002", "net00003", "net00004", "net00005", "net00006", "net00007", "net00008");
        assertThat(networks(List.of(), java.util.Map.of("CENSUS_NETWORK_IDS", String.join(" ", eight)))).isEqualTo(eight);
        assertThat(networks(List.of("net00009"), java.util.Map.of("CENSUS_NETWORK_IDS", "net00001,net00002")))
                .as("the options win").containsExactly("net00009");
        var shard = java.util.Map.of("CENSUS_NETWORK_IDS", String.join(", ", eight), "CENSUS_SHARDS", "3", "JOB_COMPLETION_INDEX", "1");
        assertThat(networks(List.of(), shard)).containsExactly("net00002", "net00005", "net00008");
        assertThat(networks(List.of("net00001"), java.util.Map.of("CENSUS_SHARDS", "2", "JOB_COMPLETION_INDEX", "1")))
                .as("a shard past the list").isEmpty();
        assertThat(run("run", "--endpoint", endpoint)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err).contains("give --network-id (repeatable) or CENSUS_NETWORK_IDS").hasLineCount(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> networks(List.of("net00001"), java.util.Map.of("CENSUS_SHARDS", "2")))
                .hasMessageContaining("JOB_COMPLETION_INDEX is not");
    }

    @Test
    void aDataDirThatCannotBeCreatedSaysWhy() throws Exception {
        System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
        System.setProperty("aws.secretAccessKey", "x");
        java.nio.file.Path file = io.wickrcensus.testing.TestFiles.log("not-a-data-dir");
        assertThat(run("run", "--network-id", "net00001", "--endpoint", endpoint, "--data-dir", file.resolve("pg").toString()))
                .isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err).contains("could not start the embedded PostgreSQL in " + file.resolve("pg") + " (--data-dir): ")
                .containsAnyOf("not a directory", "a file is in the way");
    }

    @Test
    void missingCredentials() {
        System.setProperty("aws.disableEc2Metadata", "true"); // no instance metadata lookups from a test
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null && System.getenv("AWS_PROFILE") == null
                && !new java.io.File(System.getProperty("user.home"), ".aws").exists(), "no ambient AWS credentials");
        assertThat(run("run", "--network-id", "net00001", "--endpoint", endpoint)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err).contains("no AWS credentials found").hasLineCount(1);
    }

    /**
     * A database that cannot be reached at 00:15 (a restart, a failover) is retried by the
     * scheduler: exit 1, not 2, which a CronJob's podFailurePolicy treats as final. A database
     * that answers and refuses (an unknown database, wrong credentials) is a configuration mistake.
     */
    @Test
    void anUnreachableDatabaseIsRetriedAndOneThatRefusesIsAConfigurationMistake() {
        System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
        System.setProperty("aws.secretAccessKey", "x");
        System.setProperty("spring.datasource.url", "jdbc:postgresql://127.0.0.1:1/nowhere");
        assertThat(run("run", "--network-id", "net00001", "--endpoint", endpoint)).isEqualTo(ExitCodes.FAILED);
        String unknown = io.wickrcensus.testing.TestDatabases.newDatabase("refusing").replaceFirst("/[^/?]+(\\?|$)", "/no_such_database$1");
        System.setProperty("spring.datasource.url", unknown);
        assertThat(run("run", "--network-id", "net00001", "--endpoint", endpoint)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
    }
}
