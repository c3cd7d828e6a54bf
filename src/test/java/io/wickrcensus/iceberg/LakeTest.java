package io.wickrcensus.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.db.ColumnType;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.parquet.ParquetColumn;
import io.wickrcensus.parquet.FileRoot;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestDatabases;
import io.wickrcensus.testing.TestFiles;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;

class LakeTest {

    /** The harness's billing periods, as the lake takes them. */
    private static final List<String> PERIODS = JobHarness.PERIODS.stream().map(Object::toString).toList();


    static Lake lake(JobHarness h, Path root) throws Exception {
        return JobHarness.lake(h.dbUrl, new FileRoot.Directory(root));
    }

    static List<Record> rows(Table t, String network) throws Exception {
        List<Record> out = new ArrayList<>();
        try (CloseableIterable<Record> r = IcebergGenerics.read(t).where(Expressions.equal("network_id", network)).build()) {
            r.forEach(out::add);
        }
        return out;
    }

    @Test
    void aNightIsOneCommitPerTableAndARelaunchCommitsNothingTwice() throws Exception {
        Path root = TestFiles.dir("lake");
        try (JobHarness h = new JobHarness(300, 40, TestDatabases.newDatabase("lake"), JobHarness.PERIODS, b -> b)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            long run = h.count("SELECT run_id FROM census.runs WHERE snapshot_date = '2026-11-20'");
            try (Lake lake = lake(h, root)) {
                lake.publish(run, h.network, LocalDate.parse("2026-11-20"), PERIODS);
                lake.publish(run, h.network, LocalDate.parse("2026-11-20"), PERIODS);
                Table users = lake.table(LakeTable.USERS);
                assertThat(users.snapshots()).hasSize(1);
                assertThat(users.refs()).containsKey(h.network + "@2026-11-20");
                assertThat(rows(users, h.network)).hasSize((int) h.count("SELECT count(*) FROM census.roster_current"));
                Table guests = lake.table(LakeTable.GUESTS);
                assertThat(rows(guests, h.network)).hasSize((int) h.count("SELECT count(*) FROM census.guests_by_run WHERE run_id = " + run));
                assertThat(rows(lake.table(LakeTable.RUNS), h.network)).hasSize(1);
                assertThat(rows(lake.table(LakeTable.UNAMES), h.network)).hasSize((int) h.count("SELECT count(*) FROM census.unames"));
                assertThat(rows(lake.table(LakeTable.USER_EVENTS), h.network)).hasSize((int) h.count("SELECT count(*) FROM census.roster_current"));
            }
        }
    }

    @Test
    void aColumnTheDatasetsGainIsAddedToTheTableWithoutRewritingItsFiles() throws Exception {
        Path root = TestFiles.dir("lake-evolve");
        try (JobHarness h = new JobHarness(100, 10, TestDatabases.newDatabase("lake"), JobHarness.PERIODS, b -> b)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            long run = h.count("SELECT run_id FROM census.runs WHERE snapshot_date = '2026-11-20'");
            try (Lake lake = lake(h, root)) {
                lake.publish(run, h.network, LocalDate.parse("2026-11-20"), PERIODS);
                Table runs = lake.table(LakeTable.RUNS);
                java.util.Set<String> files = new java.util.TreeSet<>();
                runs.newScan().planFiles().forEach(f -> files.add(f.file().location()));
                // the runs dataset gains a column at its end, as a new Wickr field would
                List<io.wickrcensus.parquet.ParquetColumn> more = new ArrayList<>(LakeTable.RUNS.columns());
                more.add(io.wickrcensus.parquet.ParquetColumn.of("licenses_remaining", io.wickrcensus.db.ColumnType.INT64));
                LakeTable grown = new LakeTable("runs", "runs", more, b -> b.identity("network_id"), List.of("run_id"));
                Table evolved = Lake.evolved(runs, grown);
                assertThat(evolved.schema().findField("licenses_remaining")).isNotNull();
                assertThat(evolved.schema().columns()).hasSize(more.size());
                java.util.Set<String> after = new java.util.TreeSet<>();
                evolved.newScan().planFiles().forEach(f -> after.add(f.file().location()));
                assertThat(after).as("no data rewritten").isEqualTo(files);
                assertThat(rows(evolved, h.network)).singleElement().satisfies(r -> assertThat(r.getField("licenses_remaining")).isNull());
            }
        }
    }
    /**
     * A table made by an earlier version of the job, with columns this one no longer writes (the
     * unames table had {@code resolved_at} and {@code run_id}): the night gains the new columns and
     * commits; the old ones read as null in its files.
     */
    @Test
    void aTableMadeWithColumnsTheJobNoLongerWritesStillTakesTheNight() throws Exception {
        Path root = TestFiles.dir("lake-old-unames");
        try (JobHarness h = new JobHarness(100, 10, TestDatabases.newDatabase("lake"), JobHarness.PERIODS, b -> b)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            long run = h.count("SELECT run_id FROM census.runs WHERE snapshot_date = '2026-11-20'");
            try (Lake lake = lake(h, root)) {
                LakeTable before = new LakeTable("unames", "unames", List.of(ParquetColumn.of("network_id", ColumnType.STRING),
                        ParquetColumn.of("uname", ColumnType.STRING), ParquetColumn.of("username", ColumnType.STRING),
                        ParquetColumn.of("resolved_at", ColumnType.TIMESTAMP), ParquetColumn.of("run_id", ColumnType.INT64)),
                        b -> b.identity("network_id"), List.of("uname"));
                assertThat(lake.table(before).schema().findField("first_resolved_at")).isNull(); // made as the earlier job did
                lake.publish(run, h.network, LocalDate.parse("2026-11-20"), PERIODS);
                Table unames = lake.table(LakeTable.UNAMES);
                assertThat(unames.schema().findField("resolved_at")).isNotNull();
                List<org.apache.iceberg.data.Record> read = new ArrayList<>();
                try (var r = org.apache.iceberg.data.IcebergGenerics.read(unames).build()) {
                    r.forEach(read::add);
                }
                assertThat(read).hasSize((int) h.count("SELECT count(*) FROM census.unames")).allSatisfy(rec -> {
                    assertThat(rec.getField("last_resolved_at")).isNotNull();
                    assertThat(rec.getField("resolved_at")).isNull();
                    assertThat(rec.getField("network_id")).isEqualTo(h.network);
                });
            }
        }
    }
}
