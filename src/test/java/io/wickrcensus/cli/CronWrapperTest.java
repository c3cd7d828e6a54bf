package io.wickrcensus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.testing.TestFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code config/cron/wickr-census-nightly} as cron runs it, with a stand-in {@code java} that
 * exits as the job would: a failed night prints one line for cron's mail, a good one nothing.
 */
class CronWrapperTest {

    record Result(int code, String stdout, String stderr) {
    }

    private static Result wrapper(Path dir, int jobExit, String lock) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\n"
                + "echo '2026-11-23T00:15:01.000Z INFO  [main] i.w.job.CensusRun - starting'\n"
                + "echo '2026-11-23T00:15:02.000Z ERROR [pool-1-thread-1] i.w.j.launch.RunLauncher - network 12345678 2026-11-23: "
                + "run 7 failed: ListUsers answered 500'\n"
                + "exit " + jobExit + "\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("config", "cron", "wickr-census-nightly").toAbsolutePath().toString(),
                "--network-id", "12345678");
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("WICKR_CENSUS_ENV", dir.resolve("none.env").toString());
        pb.environment().put("WICKR_CENSUS_LOCK", lock);
        pb.environment().put("WICKR_CENSUS_LOG", dir.resolve("nightly.log").toString());
        pb.redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), Files.readString(dir.resolve("stdout"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8));
    }

    @Test
    void aFailedNightPrintsOneLineForCronsMailAndKeepsItsCode() throws Exception {
        Path dir = TestFiles.dir("cron-fail");
        Result r = wrapper(dir, 1, dir.resolve("lock").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).hasLineCount(1).startsWith("wickr-census: night failed with exit 1 (failed; the next launch resumes it): ")
                .contains("run 7 failed: ListUsers answered 500").contains(dir.resolve("nightly.log").toString());
        assertThat(Files.readString(dir.resolve("nightly.log"))).contains("starting");
    }

    @Test
    void aGoodOrAlreadyPublishedNightPrintsNothing() throws Exception {
        for (int code : List.of(0, 3)) {
            Path dir = TestFiles.dir("cron-ok");
            Result r = wrapper(dir, code, dir.resolve("lock").toString());
            assertThat(r.code()).as("exit %d", code).isZero();
            assertThat(r.stdout() + r.stderr()).as("cron mails any output").isEmpty();
        }
    }

    @Test
    void anUnwritableLockPathIsSaidAsSuchNotAsAnotherRun() throws Exception {
        Path dir = TestFiles.dir("cron-lock");
        Files.writeString(dir.resolve("a-file"), "");
        Result r = wrapper(dir, 0, dir.resolve("a-file").resolve("lock").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.stderr()).hasLineCount(1).contains("cannot open the lock file").doesNotContain("another");
    }
}
