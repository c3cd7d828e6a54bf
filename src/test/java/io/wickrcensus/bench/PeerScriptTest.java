package io.wickrcensus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wickrcensus.db.DatabaseLocation;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.testing.JobHarness;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The shell peer of {@code bench --peer} loads what the job loads from the same emulator, so that
 * the comparison is of equal work: every user, every guest of each period, every uname the
 * service resolves.
 */
class PeerScriptTest {

    @Test
    void thePeerLoadsTheUsersGuestsAndUnamesTheJobDoes() throws Exception {
        for (String tool : new String[] {"curl", "jq", "psql"}) {
            assumeTrue(new File("/usr/bin/" + tool).canExecute(), tool + " is installed (.ci/run installs it)");
        }
        try (JobHarness h = new JobHarness(450, 60)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            try (DatabaseLocation db = DatabaseLocation.resolve(JobHarness.database(h.dbUrl))) {
                Process p = Bench.peerProcess(Path.of("src/test/resources/peer/census-peer.sh"), h.emulator.endpoint(), h.network,
                        h.periods, db, JobHarness.ACCESS_KEY, JobHarness.SECRET).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor()).as(out).isZero();
            }
            long users = h.count("SELECT count(*) FROM census.roster_by_run WHERE run_id = 1");
            long guests = h.count("SELECT count(*) FROM census.guests_by_run WHERE run_id = 1");
            long unames = h.count("SELECT count(*) FROM census.uname_directory");
            assertThat(users).isEqualTo(450);
            assertThat(h.count("SELECT count(*) FROM peer.users")).isEqualTo(users);
            assertThat(h.count("SELECT count(*) FROM peer.guests")).isEqualTo(guests).isEqualTo(120);
            assertThat(h.count("SELECT count(*) FROM peer.unames")).isEqualTo(unames).isPositive();
            assertThat(h.count("SELECT count(*) FROM peer.unames p JOIN census.uname_directory d USING (uname) WHERE p.username = d.username"))
                    .as("the same answers").isEqualTo(unames);
        }
    }
}
