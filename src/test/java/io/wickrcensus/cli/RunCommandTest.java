package io.wickrcensus.cli;

import io.wickrcensus.job.run.ExitCodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.emulator.EmulatorConfig;
import io.wickrcensus.emulator.WickrEmulator;
import io.wickrcensus.testing.Cli;
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

    private int run(String... args) {
        Cli.Result r = Cli.run(args);
        err = r.err();
        return r.code();
    }

    @Test
    void noNetworkId() {
        assertThat(run("run", "--endpoint", endpoint)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err).contains("--network-id");
    }

    @Test
    void aMalformedDate() {
        assertThat(run("run", "--network-id", "1", "--as-of", "2026-13-01", "--endpoint", endpoint)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err.strip()).isEqualTo("wickr-census: --as-of: '2026-13-01' is not a date in the form YYYY-MM-DD");
    }

    @Test
    void aMalformedPeriod() {
        assertThat(run("run", "--network-id", "1", "--billing-periods", "2026-1", "--endpoint", endpoint)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err).contains("'2026-1' is not a billing period in the form YYYY-MM").hasLineCount(1);
    }

    @Test
    void anUnknownOptionOrBadValues() {
        assertThat(run("run", "--network-id", "1", "--frobnicate")).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(run("run", "--network-id", "bad id", "--endpoint", endpoint)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(run("run", "--network-id", "1", "--region", "moon", "--endpoint", endpoint)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(run("run", "--network-id", "1", "--billing-periods", "2026-10", "--billing-period-count", "3")).isEqualTo(ExitCodes.BAD_CONFIGURATION);
    }

    @Test
    void missingCredentials() {
        System.setProperty("aws.disableEc2Metadata", "true"); // no instance metadata lookups from a test
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null && System.getenv("AWS_PROFILE") == null
                && !new java.io.File(System.getProperty("user.home"), ".aws").exists(), "no ambient AWS credentials");
        assertThat(run("run", "--network-id", "1", "--endpoint", endpoint)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(err).contains("no AWS credentials found").hasLineCount(1);
    }

    @Test
    void anUnreachableDatabase() {
        System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
        System.setProperty("aws.secretAccessKey", "x");
        System.setProperty("spring.datasource.url", "jdbc:postgresql://127.0.0.1:1/nowhere");
        assertThat(run("run", "--network-id", "1", "--endpoint", endpoint)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
    }
}
