package io.wickrcensus.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestDatabases;
import io.wickrcensus.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A SIGTERM (a pod evicted, a node drained) stops the run at a chunk boundary: the ledger says so,
 * the lease is given back, Batch records the execution STOPPED, and the relaunch ends exactly
 * where an uninterrupted run would have.
 */
class SigtermTest {

    @Test
    void aSigtermStopsTheRunCleanlyAndTheRelaunchFinishesItExactly() throws Exception {
        try (JobHarness h = new JobHarness(3000, 200)) {
            Path log = TestFiles.log("census-sigterm");
            String reference = TestDatabases.newDatabase("sigtermref");
            assertThat(JobHarness.await(h.launchChild(reference, "2026-11-20", null, log))).isEqualTo(ExitCodes.OK);
            Map<String, String> expected = JobHarness.digest(reference);

            String db = h.dbUrl;
            h.emulator.faults().latency(60, 0); // a run of several seconds
            Files.writeString(log, "");
            h.emulator.resetStats(); // the reference run's pages do not count
            Process p = h.launchChild(db, "2026-11-20", null, log);
            // staging is under way once a few pages have been served
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (h.emulator.stats().getOrDefault("ListUsers.200", 0L) < 5 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = Files.readString(log);
            assertThat(p.exitValue()).as(out).isEqualTo(143);
            assertThat(out).contains("asked to exit (SIGTERM): stopping 1 run at the next chunk boundary")
                    .as("the last line says what the process exits with").contains("run finished: exit 143 (stopped by SIGTERM;");

            assertThat(h.query("SELECT status, last_error FROM census.run").get(0)).containsEntry("status", "FAILED")
                    .extractingByKey("last_error").asString().contains("stopped on request (SIGTERM)");
            assertThat(h.count("SELECT count(*) FROM census.run_lease")).as("the lease was given back").isZero();
            assertThat(h.query("SELECT status FROM batch_job_execution ORDER BY job_execution_id DESC LIMIT 1").get(0))
                    .containsEntry("status", "STOPPED");

            h.emulator.faults().latency(0, 0);
            assertThat(JobHarness.await(h.launchChild(db, "2026-11-20", null, log))).as(Files.readString(log)).isEqualTo(ExitCodes.OK);
            assertThat(JobHarness.digest(db)).isEqualTo(expected);
        }
    }
}
