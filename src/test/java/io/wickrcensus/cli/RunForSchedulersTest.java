package io.wickrcensus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.testing.Cli;
import io.wickrcensus.testing.JobHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a scheduler needs of {@code run} beyond the snapshot: "already published" as success
 * without a shell (a Kubernetes Job retries any other code), and the reports in a directory.
 */
class RunForSchedulersTest {

    /** The command line of a run of the harness's network, in-process, with its credentials and database. */
    private static String[] run(JobHarness h, String... more) {
        System.setProperty("aws.accessKeyId", JobHarness.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", JobHarness.SECRET);
        System.setProperty("spring.datasource.url", h.dbUrl);
        return java.util.stream.Stream.concat(java.util.stream.Stream.of("run", "--network-id", h.network, "--as-of", "2026-11-20",
                "--billing-periods", "2026-10,2026-11", "--endpoint", h.emulator.endpoint().toString(), "--output-dir",
                h.outputDir.toString()), java.util.Arrays.stream(more)).toArray(String[]::new);
    }

    @AfterEach
    void clean() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        System.clearProperty("spring.datasource.url");
    }

    @Test
    void anAlreadyPublishedSnapshotExitsZeroWhenAsked() throws Exception {
        try (JobHarness h = new JobHarness(40, 4)) {
            assertThat(Cli.run(run(h)).code()).isEqualTo(ExitCodes.OK);
            assertThat(Cli.run(run(h)).code()).as("the default: 3, already complete").isEqualTo(ExitCodes.ALREADY_COMPLETE);
            assertThat(Cli.run(run(h, "--complete-is-success")).code()).isEqualTo(ExitCodes.OK);
        }
    }

    @Test
    void reportsDirGetsEachPublishedNetworksReportsAndAnIndex() throws Exception {
        try (JobHarness h = new JobHarness(40, 4)) {
            java.nio.file.Path reports = io.wickrcensus.testing.TestFiles.dir("reports-dir");
            String[] run = run(h, "--reports-dir", reports.toString());
            assertThat(Cli.run(run).code()).isEqualTo(ExitCodes.OK);
            java.nio.file.Path net = reports.resolve(h.network);
            for (String f : java.util.List.of("guest-billing-2026-10", "guest-billing-2026-11", "audit-2026-11-20")) {
                for (String ext : java.util.List.of("csv", "json", "html")) {
                    assertThat(net.resolve(f + "." + ext)).isNotEmptyFile();
                }
            }
            assertThat(java.nio.file.Files.readString(reports.resolve("index.html"))).contains("href=\"" + h.network + "/guest-billing-2026-11.html\"");
            java.nio.file.Files.delete(net.resolve("guest-billing-2026-10.csv"));
            assertThat(Cli.run(run).code()).as("a relaunch writes them again").isEqualTo(ExitCodes.ALREADY_COMPLETE);
            assertThat(net.resolve("guest-billing-2026-10.csv")).isNotEmptyFile();
            Cli.Result bad = Cli.run(java.util.stream.Stream.concat(java.util.Arrays.stream(run).limit(run.length - 1),
                    java.util.stream.Stream.of(h.outputDir.resolve("users").resolve("network_id=" + h.network).resolve("snapshot_date=2026-11-20")
                            .resolve("_SUCCESS").resolve("x").toString())).toArray(String[]::new));
            assertThat(bad.code()).isEqualTo(ExitCodes.BAD_CONFIGURATION);
            assertThat(bad.err()).contains("--reports-dir").contains("cannot hold the reports");
        }
    }
}
