package io.wickrcensus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.testing.TestFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code config/cron/wickr-census-nightly} as cron runs it: {@code env -i PATH=/usr/bin:/bin},
 * nothing on standard input, settings from the env file only. A stand-in {@code java} exits as the
 * job would: a failed night prints one line for cron's mail (that run's own error), a good one
 * nothing. {@link CronWrapperRealTest} runs the packaged job itself.
 */
class CronWrapperTest {

    static final Path WRAPPER = Path.of("config", "cron", "wickr-census-nightly").toAbsolutePath();

    record Result(int code, String stdout, String stderr) {
    }

    /** A directory with an app layout (a placeholder jar), an env file naming it, and the wrapper's lock and logs. */
    static Path setUp(String name, String javaPath, String... extraEnv) throws Exception {
        Path dir = TestFiles.dir(name);
        Path app = Files.createDirectories(dir.resolve("app"));
        if (!Files.exists(app.resolve("wickr-census.jar"))) {
            Files.writeString(app.resolve("wickr-census.jar"), "");
        }
        List<String> env = new ArrayList<>(List.of("WICKR_CENSUS_APP=" + app, "WICKR_CENSUS_JAVA=" + javaPath,
                "WICKR_CENSUS_LOCK=" + dir.resolve("lock"), "WICKR_CENSUS_LOG_DIR=" + dir.resolve("logs")));
        env.addAll(List.of(extraEnv));
        Files.writeString(dir.resolve("census.env"), String.join("\n", env) + "\n");
        return dir;
    }

    /** Runs the wrapper as cron does: an empty environment but PATH and the env file's location, stdin from /dev/null. */
    static Result wrapper(Path dir, Path envFile, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env", "-i", "PATH=/usr/bin:/bin", "WICKR_CENSUS_ENV=" + envFile, "bash",
                WRAPPER.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), Files.readString(dir.resolve("stdout"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8));
    }

    /** A stand-in java that prints {@code lines} as the job's log and exits with {@code code}. */
    private static String standIn(Path dir, int code, String... lines) throws Exception {
        Path java = dir.resolve("java-" + code + "-" + lines.length);
        StringBuilder s = new StringBuilder("#!/bin/bash\n");
        for (String l : lines) {
            s.append("echo '").append(l).append("'\n");
        }
        s.append("exit ").append(code).append('\n');
        Files.writeString(java, s.toString());
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return java.toString();
    }

    private static final String STARTING = "2026-11-23T00:15:01.000Z INFO  [main] i.w.job.CensusRun - starting";
    private static final String FAILED = "2026-11-23T00:15:02.000Z ERROR [pool-1-thread-1] i.w.j.launch.RunLauncher - network 12345678 "
            + "2026-11-23: run 7 failed: ListUsers answered 500";

    static Path tonightsLog(Path dir) {
        return dir.resolve("logs").resolve("nightly-" + LocalDate.now(ZoneOffset.UTC) + ".log");
    }

    @Test
    void aFailedNightPrintsOneLineForCronsMailAndKeepsItsCode() throws Exception {
        Path dir = setUp("cron-fail", "java");
        Files.writeString(dir.resolve("census.env"), Files.readString(dir.resolve("census.env"))
                .replace("WICKR_CENSUS_JAVA=java", "WICKR_CENSUS_JAVA=" + standIn(dir, 1, STARTING, FAILED)));
        Result r = wrapper(dir, dir.resolve("census.env"), "--network-id", "12345678");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).hasLineCount(1).startsWith("wickr-census: night failed with exit 1 (failed; the next launch resumes it): ")
                .contains("run 7 failed: ListUsers answered 500").contains(tonightsLog(dir).toString());
        assertThat(Files.readString(tonightsLog(dir))).contains("wickr-census run --network-id 12345678", "starting");
    }

    @Test
    void aGoodOrAlreadyPublishedNightPrintsNothing() throws Exception {
        for (int code : List.of(0, 3)) {
            Path dir = setUp("cron-ok", "java");
            Files.writeString(dir.resolve("census.env"), Files.readString(dir.resolve("census.env"))
                    .replace("WICKR_CENSUS_JAVA=java", "WICKR_CENSUS_JAVA=" + standIn(dir, code, STARTING)));
            Result r = wrapper(dir, dir.resolve("census.env"));
            assertThat(r.code()).as("exit %d", code).isZero();
            assertThat(r.stdout() + r.stderr()).as("cron mails any output").isEmpty();
        }
    }

    /** The mailed line is this run's error, not the last one in the night's log (a retry's config error, not the 500 before). */
    @Test
    void theMailedErrorIsThisRunsOwn() throws Exception {
        Path dir = setUp("cron-own", "java");
        String env = Files.readString(dir.resolve("census.env"));
        Files.writeString(dir.resolve("census.env"), env.replace("WICKR_CENSUS_JAVA=java", "WICKR_CENSUS_JAVA=" + standIn(dir, 1, FAILED)));
        assertThat(wrapper(dir, dir.resolve("census.env")).code()).isEqualTo(1);
        Files.writeString(dir.resolve("census.env"), env.replace("WICKR_CENSUS_JAVA=java", "WICKR_CENSUS_JAVA="
                + standIn(dir, 2, "wickr-census: --reconcile must be fail, warn or off, got 'maybe'")));
        Result r = wrapper(dir, dir.resolve("census.env"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.stderr()).hasLineCount(1).contains("--reconcile must be fail, warn or off").doesNotContain("ListUsers answered 500");
        assertThat(Files.readString(tonightsLog(dir))).as("both runs are in the night's log").contains("ListUsers answered 500", "--reconcile");
    }

    @Test
    void aMissingOrBrokenEnvFileStopsLoudlyBeforeAnything() throws Exception {
        Path dir = setUp("cron-env", "java");
        Result missing = wrapper(dir, dir.resolve("no-such.env"));
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.stderr()).hasLineCount(1).contains("cannot read the env file " + dir.resolve("no-such.env"));

        // the env example's reports line as it once read, uncommented: not bash
        Files.writeString(dir.resolve("broken.env"), Files.readString(dir.resolve("census.env"))
                + "CENSUS_REPORTS_DIR=/var/lib/wickr-census/reports   (or s3://BUCKET/PREFIX)\n");
        Result broken = wrapper(dir, dir.resolve("broken.env"));
        assertThat(broken.code()).isEqualTo(2);
        assertThat(broken.stderr()).hasLineCount(1).contains("the env file " + dir.resolve("broken.env") + " does not parse")
                .contains("line 5");
        assertThat(dir.resolve("logs")).as("nothing ran").doesNotExist();
    }

    @Test
    void theWrappersOwnSettingsComeFromTheEnvFile() throws Exception {
        Path dir = setUp("cron-settings", "java");
        Files.writeString(dir.resolve("census.env"), Files.readString(dir.resolve("census.env"))
                .replace("WICKR_CENSUS_JAVA=java", "WICKR_CENSUS_JAVA=" + standIn(dir, 0, STARTING))
                .replace("WICKR_CENSUS_LOG_DIR=" + dir.resolve("logs"), "WICKR_CENSUS_LOG_DIR=" + dir.resolve("elsewhere")));
        Path old = Files.createDirectories(dir.resolve("elsewhere")).resolve("nightly-2026-01-01.log");
        Files.writeString(old, "a night long ago");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(40, ChronoUnit.DAYS)));
        Path recent = dir.resolve("elsewhere").resolve("nightly-2026-11-20.log");
        Files.writeString(recent, "a recent night");
        assertThat(wrapper(dir, dir.resolve("census.env")).code()).isZero();
        assertThat(dir.resolve("elsewhere").resolve("nightly-" + LocalDate.now(ZoneOffset.UTC) + ".log")).exists();
        assertThat(old).as("kept 30 days by default").doesNotExist();
        assertThat(recent).exists();
        assertThat(dir.resolve("logs")).doesNotExist();
    }

    @Test
    void anUnwritableLockPathIsSaidAsSuchNotAsAnotherRun() throws Exception {
        Path dir = setUp("cron-lock", "java");
        Files.writeString(dir.resolve("a-file"), "");
        Files.writeString(dir.resolve("census.env"), Files.readString(dir.resolve("census.env"))
                .replace("WICKR_CENSUS_LOCK=" + dir.resolve("lock"), "WICKR_CENSUS_LOCK=" + dir.resolve("a-file").resolve("lock")));
        Result r = wrapper(dir, dir.resolve("census.env"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.stderr()).hasLineCount(1).contains("cannot open the lock file").doesNotContain("another");
    }

    /** Every commented setting of the env example still parses as bash once uncommented, alone. */
    @Test
    void everyLineOfTheEnvExampleParsesUncommented() throws Exception {
        Path example = Path.of("config", "wickr-census.env.example");
        List<String> lines = Files.readAllLines(example);
        int checked = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("#[A-Z][A-Z0-9_]*=.*")) {
                List<String> copy = new ArrayList<>(lines);
                copy.set(i, lines.get(i).substring(1));
                Path f = TestFiles.log("env-line");
                Files.write(f, copy);
                Process p = new ProcessBuilder("bash", "-n", f.toString()).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor()).as("line %d uncommented: %s", i + 1, out).isZero();
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(20);
    }
}
