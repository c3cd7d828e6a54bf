package io.wickrcensus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cron wrapper running the packaged job (the fast-launch layout {@code target/app} that
 * {@code mvn package} makes) as cron would, against the emulator and a real database: a wrong
 * secret, a good night, its retry and an overlapping launch each mail what happened, or nothing.
 * Tagged "packaged": it runs after {@code package}, in the integration-test phase.
 */
@Tag("packaged")
class CronWrapperRealTest {

    @Test
    void nightsAsCronRunsThemMailWhatHappenedOrNothing() throws Exception {
        Path app = Path.of("target", "app").toAbsolutePath();
        Assumptions.assumeTrue(Files.exists(app.resolve("wickr-census.jar")) || System.getenv("CI") != null,
                "the packaged app (target/app, made by `mvn package` unless -DskipCds)");
        try (JobHarness h = new JobHarness(300, 20)) {
            String db = TestDatabases.newDatabase("cron_real");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Path dir = CronWrapperTest.setUp("cron-real", java, "WICKR_CENSUS_APP=" + app, "CENSUS_DB_URL=" + db,
                    "AWS_ACCESS_KEY_ID=" + JobHarness.ACCESS_KEY, "AWS_REGION=us-east-1",
                    "CENSUS_OUTPUT_DIR=" + Files.createDirectories(Path.of("target", "test-files").toAbsolutePath()).resolve("cron-real-parquet"));
            String base = Files.readString(dir.resolve("census.env"));
            Path wrong = dir.resolve("wrong.env");
            Files.writeString(wrong, base + "AWS_SECRET_ACCESS_KEY=not-the-secret\n");
            Path right = dir.resolve("right.env");
            Files.writeString(right, base + "AWS_SECRET_ACCESS_KEY=" + JobHarness.SECRET + "\n");
            String[] args = {"--network-id", h.network, "--as-of", "2026-11-20", "--billing-periods", "2026-10,2026-11",
                "--endpoint", h.emulator.endpoint().toString()};

            CronWrapperTest.Result denied = CronWrapperTest.wrapper(dir, wrong, args);
            assertThat(denied.code()).as(denied.stderr()).isEqualTo(5);
            assertThat(denied.stderr()).hasLineCount(1).startsWith("wickr-census: night failed with exit 5 (the service rejected the credentials): ")
                    .doesNotContain("not-the-secret");

            CronWrapperTest.Result good = CronWrapperTest.wrapper(dir, right, args);
            assertThat(good.code()).as(good.stderr()).isZero();
            assertThat(good.stdout() + good.stderr()).as("a good night mails nothing").isEmpty();
            assertThat(Files.readString(CronWrapperTest.tonightsLog(dir))).contains("snapshot published");

            CronWrapperTest.Result retry = CronWrapperTest.wrapper(dir, right, args);
            assertThat(retry.code()).isZero();
            assertThat(retry.stdout() + retry.stderr()).as("a retry of a published night mails nothing").isEmpty();

            Process holder = new ProcessBuilder("flock", dir.resolve("lock").toString(), "sleep", "60").start();
            try {
                // the holder has the lock once a non-blocking attempt of our own fails
                assertThat(io.wickrcensus.testing.Await.until(Duration.ofSeconds(10), () -> new ProcessBuilder("flock", "-n",
                        dir.resolve("lock").toString(), "true").start().waitFor() != 0)).isTrue();
                CronWrapperTest.Result overlapping = CronWrapperTest.wrapper(dir, right, args);
                assertThat(overlapping.code()).isEqualTo(4);
                assertThat(overlapping.stderr()).hasLineCount(1).contains("another nightly run holds " + dir.resolve("lock"));
            } finally {
                holder.destroy();
                holder.waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(Files.readString(CronWrapperTest.tonightsLog(dir))).doesNotContain("not-the-secret", JobHarness.SECRET);
        }
    }
}
