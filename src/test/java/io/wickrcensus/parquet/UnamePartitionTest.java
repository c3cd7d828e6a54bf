package io.wickrcensus.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.testing.Duck;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestDatabases;
import io.wickrcensus.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The uname partition gains a file a night, the night's answers, instead of being written whole:
 * the earlier files are kept as they are. It is written whole on the first night, past
 * {@code maxFiles} files, and when the run itself wrote the current version (a relaunch).
 */
class UnamePartitionTest {

    private static final String PARTITION = "unames/network_id=n1";

    /** Run {@code run}'s version: added rows ({@code a<run>}) or the whole directory ({@code w<run>}); its file names. */
    private static List<String> night(ParquetSettings settings, Connection c, long run, int maxFiles) throws Exception {
        try (DatasetStore store = DatasetStore.open(settings, "n1")) {
            new PartitionWriter(settings, store, run, "export").prepareAppended(c, PARTITION, "unames", ParquetExporter.UNAMES, maxFiles,
                    "SELECT 'a' || ?::text, 'x', now(), now()", new Object[] {run},
                    "SELECT 'w' || ?::text, 'x', now(), now()", new Object[] {run}).commit();
        }
        Path dir = ((FileRoot.Directory) settings.root()).path().resolve(PARTITION);
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".parquet")).sorted().toList();
        }
    }

    private static List<String> unames(ParquetSettings settings) throws Exception {
        return Duck.rows("SELECT uname FROM read_parquet('" + ((FileRoot.Directory) settings.root()).path().resolve(PARTITION)
                + "/*.parquet') ORDER BY uname");
    }

    @Test
    void eachNightAddsAFileAndKeepsTheOthersUntilTheLimit() throws Exception {
        ParquetSettings settings = ParquetSettings.DEFAULT.withOutputDir(TestFiles.dir("uname-partition"));
        try (Connection c = TestDatabases.connect(TestDatabases.newDatabase("unamepart"))) {
            List<String> first = night(settings, c, 1, 3);
            assertThat(first).hasSize(1);
            assertThat(unames(settings)).containsExactly("w1");
            List<String> second = night(settings, c, 2, 3);
            assertThat(second).hasSize(2).containsAll(first);
            assertThat(unames(settings)).containsExactly("a2", "w1");
            // a relaunch of run 2 cannot tell what it added from what it kept: it writes the whole directory
            assertThat(night(settings, c, 2, 3)).hasSize(1).doesNotContainAnyElementsOf(second);
            assertThat(unames(settings)).containsExactly("w2");
            assertThat(night(settings, c, 3, 3)).hasSize(2);
            assertThat(night(settings, c, 4, 3)).hasSize(3);
            assertThat(unames(settings)).containsExactly("a3", "a4", "w2");
            // three files: the next night writes the directory whole, one file
            assertThat(night(settings, c, 5, 3)).hasSize(1);
            assertThat(unames(settings)).containsExactly("w5");
        }
    }

    /** Three nights with churn: the partition holds the first night's directory and each later night's answers, as PostgreSQL does. */
    @Test
    void threeNightsHoldTheDirectoryInThreeFiles() throws Exception {
        try (JobHarness h = new JobHarness(1500, 100, TestDatabases.newDatabase("unamenights"), JobHarness.PERIODS, b -> b.churnRate(0.05))) {
            for (String night : List.of("2026-11-20", "2026-11-21", "2026-11-22")) {
                assertThat(h.run(night)).isEqualTo(ExitCodes.OK);
                h.emulator.advanceDays(h.network, 1);
            }
            Path dir = h.outputDir.resolve("unames/network_id=" + h.network);
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.filter(f -> f.toString().endsWith(".parquet"))).hasSize(3);
            }
            String glob = "read_parquet('" + dir + "/*.parquet')";
            List<String> parquet = Duck.rows("SELECT uname, username FROM " + glob + " ORDER BY uname");
            List<String> pg = h.query("SELECT uname, username FROM census.uname_directory ORDER BY uname COLLATE \"C\"").stream()
                    .map(r -> r.get("uname") + "|" + r.get("username")).toList();
            assertThat(parquet).hasSizeGreaterThan(1500).isEqualTo(pg);
        }
    }
}
