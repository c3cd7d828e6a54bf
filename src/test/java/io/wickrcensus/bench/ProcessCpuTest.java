package io.wickrcensus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.testing.TestDatabases;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The per-process CPU seconds the bench prints for each night, read from /proc. */
class ProcessCpuTest {

    @Test
    void aBusyChildsCpuIsItsOwnAndItsParentSeesItOnceEnded() throws Exception {
        Assumptions.assumeTrue(java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self")), "Linux's /proc");
        Process busy = new ProcessBuilder("bash", "-c", "end=$((SECONDS+2)); while [ $SECONDS -lt $end ]; do :; done").start();
        long self = ProcessHandle.current().pid();
        double mine = ProcessCpu.seconds(self, false);
        assertThat(busy.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ProcessCpu.seconds(self, false)).as("this JVM's own, which the child's spinning is not").isGreaterThanOrEqualTo(mine);
        assertThat(ProcessCpu.seconds(self, true) - ProcessCpu.seconds(self, false)).as("the reaped child's 2 s of spinning")
                .isGreaterThan(1.0);
        assertThat(ProcessCpu.seconds(Long.MAX_VALUE, false)).isNaN();
    }

    @Test
    void postgresIsFoundThroughABackendsParentAndItsWorkCounted() throws Exception {
        var ds = TestDatabases.dataSource(TestDatabases.newDatabase("cpu"));
        long postmaster = ProcessCpu.postmaster(ds);
        Assumptions.assumeTrue(postmaster > 0, "the test database runs on another host");
        double before = ProcessCpu.tree(postmaster);
        try (var c = ds.getConnection(); var st = c.createStatement()) {
            st.execute("SELECT count(*) FROM generate_series(1, 3000000) g, LATERAL (SELECT md5(g::text)) m");
            assertThat(ProcessCpu.tree(postmaster) - before).as("the live backend's work").isGreaterThan(0.3);
        }
    }
}
