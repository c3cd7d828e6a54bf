package io.wickrcensus.job;

import io.wickrcensus.testing.TestFiles;
import io.wickrcensus.testing.JobHarness;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.Test;

/**
 * Kill the job (in a child JVM) at points of every step, relaunch it with the same arguments, and
 * compare what it stored with an uninterrupted run's, by content digest.
 */
class RestartTest {

    static JobHarness reference;
    static Map<String, String> expected;

    @BeforeAll
    static void referenceRun() throws Exception {
        reference = new JobHarness(3000, 300);
        assertThat(reference.run("2026-11-20")).isEqualTo(ExitCodes.OK);
        expected = JobHarness.digest(reference.dbUrl);
    }

    @AfterAll
    static void stop() {
        reference.close();
    }

    static Process launch(String dbUrl, String crashAt, Path log, String... extraArgs) throws Exception {
        return reference.launchChild(dbUrl, "2026-11-20", crashAt, log, extraArgs);
    }

    /**
     * Every crash point with the head starts; without them (the steps then do all the work
     * themselves, later), a kill in each step whose work a head start would otherwise share:
     * staging, the uname lookups, publish and the Parquet datasets.
     */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> crashPoints() {
        List<String> points = List.of("users.batch:2", "guests.batch:1", "unames.early:2", "unames.round:1", "unames.after-commit:1",
                "reconcile:1", "publish.before-commit:1", "publish.after-commit:1", "parquet.before-swap:1", "parquet.after-commit:1",
                "iceberg.after-step:1");
        List<String> withoutHeadStarts = List.of("users.batch:2", "unames.round:1", "publish.before-commit:1", "parquet.before-swap:1");
        return java.util.stream.Stream.concat(points.stream().map(p -> org.junit.jupiter.params.provider.Arguments.of(p, "on")),
                withoutHeadStarts.stream().map(p -> org.junit.jupiter.params.provider.Arguments.of(p, "off")));
    }

    static int await(Process p) throws Exception {
        return JobHarness.await(p);
    }

    @ParameterizedTest(name = "killed at {0}, head starts {1}")
    @org.junit.jupiter.params.provider.MethodSource("crashPoints")
    void aRunKilledAtAnyStepResumesToTheSameSnapshot(String point, String headStarts) throws Exception {
        String db = TestDatabases.newDatabase("crash");
        Path log = TestFiles.log("census-crash");
        int killed = await(launch(db, point, log, "--head-starts", headStarts));
        assertThat(killed).as(Files.readString(log)).isEqualTo(137);
        assertThat(Files.readString(log)).contains("halting at " + point.substring(0, point.indexOf(':')));

        int relaunched = await(launch(db, null, log, "--head-starts", headStarts));
        String output = Files.readString(log);
        if (point.startsWith("iceberg.after-step")) {
            // the last step's work was done: the run is complete (Batch's own record of it is repaired)
            assertThat(relaunched).as(output).isEqualTo(ExitCodes.ALREADY_COMPLETE);
        } else {
            assertThat(relaunched).as(output).isEqualTo(ExitCodes.OK);
            assertThat(output).contains("recovering it");
        }
        boolean unamesRerun = point.startsWith("unames.") && !point.startsWith("unames.after-commit");
        if (unamesRerun || headStarts.equals("off") && (point.startsWith("users.") || point.startsWith("guests."))) {
            // staging was complete before the kill: the relaunch's head start saw none of it (or there is none)
            assertThat(output).contains("the whole snapshot is read for unknown unames");
        }
        if (headStarts.equals("off")) {
            assertThat(output).as("no head start ran").doesNotContain("lookup calls while staging").doesNotContain("written as they were staged");
        }
        assertThat(JobHarness.digest(db)).isEqualTo(expected);
        assertThat(await(launch(db, null, log))).isEqualTo(ExitCodes.ALREADY_COMPLETE);
    }

    /**
     * Batch records a guest partition's execution before its context; a database lost between the
     * two (the torture suite's PostgreSQL restart once hit that moment) leaves partitions without
     * their billing period, and the relaunch must still find it (in the partition's name).
     */
    @Test
    void aRelaunchResumesGuestPartitionsWhoseContextWasLost() throws Exception {
        String db = TestDatabases.newDatabase("crash_context");
        Path log = TestFiles.log("census-crash");
        assertThat(await(launch(db, "guests.batch:1", log))).as(Files.readString(log)).isEqualTo(137);
        try (java.sql.Connection c = TestDatabases.connect(db); java.sql.Statement st = c.createStatement()) {
            int lost = st.executeUpdate("DELETE FROM batch_step_execution_context WHERE step_execution_id IN "
                    + "(SELECT step_execution_id FROM batch_step_execution WHERE step_name LIKE 'guestPeriod:%')");
            assertThat(lost).as("the partitions' contexts").isPositive();
        }
        int relaunched = await(launch(db, null, log));
        assertThat(relaunched).as(Files.readString(log)).isEqualTo(ExitCodes.OK);
        assertThat(JobHarness.digest(db)).isEqualTo(expected);
    }
}
