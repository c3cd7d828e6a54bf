package io.wickrcensus.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.job.CensusRetract;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.parquet.FileRoot;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestDatabases;
import io.wickrcensus.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;

/**
 * The job's Iceberg tables against the emulator and PostgreSQL, read back with Iceberg's own
 * reader: a commit per table per night, tags, relaunches and crashes that commit nothing twice
 * and lose nothing, and a retraction.
 */
class IcebergJobTest {

    private static final List<String> NIGHTS = List.of("2026-11-20", "2026-11-21", "2026-11-22");

    static RunSettings night(JobHarness h, String asOf, Path root) {
        return h.builder(asOf).parquet(h.builder(asOf).build().parquet().withRoot(new FileRoot.Directory(root)))
                .iceberg(IcebergSettings.jdbc(new FileRoot.Directory(root))).build();
    }

    static Lake lake(JobHarness h, Path root) {
        return JobHarness.lake(h.dbUrl, new FileRoot.Directory(root));
    }

    /** The rows of a table at a snapshot (null: current), as sorted lines. */
    static Set<String> rows(Table t, Long snapshot) throws Exception {
        return rows(t, snapshot, Set.of());
    }

    /** The same, without the columns {@code leftOut}. */
    static Set<String> rows(Table t, Long snapshot, Set<String> leftOut) throws Exception {
        Set<String> out = new TreeSet<>();
        var scan = IcebergGenerics.read(t);
        if (snapshot != null) {
            scan = scan.useSnapshot(snapshot);
        }
        List<String> names = t.schema().columns().stream().map(org.apache.iceberg.types.Types.NestedField::name).toList();
        try (CloseableIterable<Record> r = scan.build()) {
            for (Record rec : r) {
                List<String> v = new ArrayList<>();
                for (String name : names) {
                    if (!leftOut.contains(name)) {
                        v.add(String.valueOf(rec.getField(name)));
                    }
                }
                out.add(String.join("|", v));
            }
        }
        return out;
    }

    /** Every table's rows, by table, without what differs between two runs of the same night (when, how many attempts). */
    static Map<String, Set<String>> tables(Lake lake) throws Exception {
        Map<String, Set<String>> out = new java.util.TreeMap<>();
        for (LakeTable def : LakeTable.ALL) {
            out.put(def.name(), rows(lake.table(def), null, Set.of("started_at", "finished_at", "attempts", "first_resolved_at", "last_resolved_at")));
        }
        return out;
    }

    @Test
    void eachNightIsOneTaggedCommitPerTableAndARelaunchAddsNone() throws Exception {
        Path root = TestFiles.dir("iceberg-nights");
        try (JobHarness h = new JobHarness(400, 40, TestDatabases.newDatabase("iceberg"), JobHarness.PERIODS, b -> b.churnRate(0.05))) {
            for (String n : NIGHTS) {
                assertThat(h.run(night(h, n, root), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);
                h.emulator.advanceDays(h.network, 1);
            }
            assertThat(h.run(night(h, NIGHTS.get(2), root), JobHarness.SECRET)).isEqualTo(ExitCodes.ALREADY_COMPLETE);
            assertThat(h.count("SELECT count(*) FROM census.run WHERE iceberg_committed_at IS NOT NULL")).isEqualTo(3);
            try (Lake lake = lake(h, root)) {
                for (LakeTable def : LakeTable.ALL) {
                    Table t = lake.table(def);
                    assertThat(t.snapshots()).as(def.name()).hasSize(3);
                    for (String n : NIGHTS) {
                        assertThat(t.refs()).as(def.name()).containsKey(Lake.tag(h.network, LocalDate.parse(n)));
                    }
                    for (Snapshot s : t.snapshots()) {
                        assertThat(s.summary()).containsKeys(Lake.RUN_ID, Lake.SNAPSHOT_DATE).containsEntry(Lake.NETWORK_ID, h.network)
                                .containsEntry(Lake.OPERATION, Lake.PUBLISH);
                    }
                }
                Table users = lake.table(LakeTable.USERS);
                for (String n : NIGHTS) {
                    long tagged = users.refs().get(Lake.tag(h.network, LocalDate.parse(n))).snapshotId();
                    // the roster as of that night, through the tag, equals PostgreSQL's
                    Set<String> viaTag = new TreeSet<>();
                    try (CloseableIterable<Record> r = IcebergGenerics.read(users).useSnapshot(tagged)
                            .where(Expressions.equal("snapshot_date", n)).select("user_id", "status", "is_admin").build()) {
                        r.forEach(rec -> viaTag.add(rec.getField("user_id") + "|" + rec.getField("status") + "|" + rec.getField("is_admin")));
                    }
                    assertThat(viaTag).isEqualTo(h.query("SELECT user_id, status, is_admin FROM census.roster_by_run WHERE snapshot_date = ?::date",
                            n).stream().map(m -> m.get("user_id") + "|" + m.get("status") + "|" + m.get("is_admin"))
                            .collect(Collectors.toCollection(TreeSet::new)));
                }
                // the events, the first night's (every user joined) written without the view, equal the view's row for row
                Set<String> events = new TreeSet<>();
                try (CloseableIterable<Record> r = IcebergGenerics.read(lake.table(LakeTable.USER_EVENTS)).build()) {
                    r.forEach(rec -> events.add(rec.getField("snapshot_date") + "|" + rec.getField("run_id") + "|" + rec.getField("user_id") + "|"
                            + rec.getField("username") + "|" + rec.getField("kind") + "|" + rec.getField("before") + "|" + rec.getField("after")));
                }
                assertThat(events).hasSizeGreaterThan(400).isEqualTo(h.query("SELECT * FROM census.user_events_by_run").stream()
                        .map(m -> m.get("snapshot_date") + "|" + m.get("run_id") + "|" + m.get("user_id") + "|" + m.get("username") + "|"
                                + m.get("kind") + "|" + m.get("before") + "|" + m.get("after"))
                        .collect(Collectors.toCollection(TreeSet::new)));
                assertThat(rows(lake.table(LakeTable.GUESTS), null)).hasSize((int) h.count(
                        "SELECT count(*) FROM census.guests_by_run WHERE run_id = (SELECT max(run_id) FROM census.published_runs)"));

                // the users partitions, the guest lists and the first night's unames are the datasets' own files, written once
                Map<String, Integer> linked = new java.util.TreeMap<>();
                for (LakeTable def : List.of(LakeTable.USERS, LakeTable.GUESTS, LakeTable.UNAMES)) {
                    try (var tasks = lake.table(def).newScan().planFiles()) {
                        for (var task : tasks) {
                            Path file = LocalFileIO.path(task.file().location());
                            String name = file.getFileName().toString();
                            String partition = def.dataset() + "/" + task.file().location().replaceFirst(".*/data/", "")
                                    .replaceFirst("/[^/]*$", "");
                            Path dataset = root.resolve(partition).resolve(name.replaceFirst("^r\\d+-publish-", ""));
                            if (name.matches("r\\d+-publish-part-\\d{5}-r\\d+-[0-9a-f]+\\.zstd\\.parquet")) {
                                linked.merge(def.name(), 1, Integer::sum);
                                // a link to the dataset's file while the dataset still has it
                                assertThat(!Files.exists(dataset) || Files.isSameFile(file, dataset)).as(name).isTrue();
                            }
                        }
                    }
                }
                // users: a partition a night; guests: the latest night's two periods; unames: the first night's directory, then the
                // file of answers each later night added to the dataset's partition
                assertThat(linked).isEqualTo(Map.of("users", 3, "guests", 2, "unames", 3));
            }

            // a retraction is a new snapshot of each table; the night's tag is kept as evidence under another name
            RunSettings s = night(h, NIGHTS.get(2), root);
            assertThat(CensusRetract.execute(s.database(), s.roles(), s.parquet(), s.iceberg(), h.network, LocalDate.parse(NIGHTS.get(2)),
                    "taken twice by mistake", "auditor-1", io.wickrcensus.job.AfterRetract.NONE)).isEqualTo(ExitCodes.OK);
            try (Lake lake = lake(h, root)) {
                Table users = lake.table(LakeTable.USERS);
                String tag = Lake.tag(h.network, LocalDate.parse(NIGHTS.get(2)));
                assertThat(users.refs()).doesNotContainKey(tag).containsKey("retracted-" + tag);
                assertThat(users.currentSnapshot().summary()).containsEntry(Lake.OPERATION, Lake.RETRACT)
                        .containsEntry("wickr-census.reason", "taken twice by mistake").containsEntry("wickr-census.retracted-by", "auditor-1");
                assertThat(rows(users, null).stream().filter(l -> l.contains("|" + NIGHTS.get(2) + "|"))).isEmpty();
                assertThat(rows(users, users.refs().get("retracted-" + tag).snapshotId()).stream()
                        .filter(l -> l.contains("|" + NIGHTS.get(2) + "|"))).as("the evidence").isNotEmpty();
                assertThat(rows(lake.table(LakeTable.USER_EVENTS), null)).hasSize((int) h.count("SELECT count(*) FROM census.user_events_by_run"));
                assertThat(rows(lake.table(LakeTable.RUNS), null)).anyMatch(l -> l.contains("RETRACTED"));
                assertThat(rows(lake.table(LakeTable.GUESTS), null)).hasSize((int) h.count(
                        "SELECT count(*) FROM census.guests_by_run WHERE run_id = (SELECT max(run_id) FROM census.published_runs)"));
            }
            assertThat(CensusRetract.execute(s.database(), s.roles(), s.parquet(), s.iceberg(), h.network, LocalDate.parse(NIGHTS.get(2)),
                    "taken twice by mistake", "auditor-1", io.wickrcensus.job.AfterRetract.NONE)).isEqualTo(ExitCodes.ALREADY_COMPLETE);
        }
    }

    /** Two networks run at once commit to the same tables: each commit lands once, each night has its tag, nothing is lost. */
    @Test
    void twoNetworksAtOnceShareTheTables() throws Exception {
        Path root = TestFiles.dir("iceberg-two");
        try (JobHarness h = new JobHarness(300, 20, TestDatabases.newDatabase("iceberg"), JobHarness.PERIODS, b -> b.networks(2))) {
            List<String> nets = h.emulator.networkIds();
            RunSettings s = h.builder("2026-11-20", nets.toArray(String[]::new)).parallelism(2)
                    .parquet(night(h, "2026-11-20", root).parquet()).iceberg(IcebergSettings.jdbc(new FileRoot.Directory(root))).build();
            assertThat(h.run(s, JobHarness.SECRET)).isEqualTo(ExitCodes.OK);
            try (Lake lake = lake(h, root)) {
                for (LakeTable def : LakeTable.ALL) {
                    Table t = lake.table(def);
                    assertThat(t.snapshots()).as(def.name()).hasSize(2);
                    for (String net : nets) {
                        assertThat(t.refs()).as(def.name()).containsKey(Lake.tag(net, LocalDate.parse("2026-11-20")));
                    }
                }
                assertThat(rows(lake.table(LakeTable.USERS), null)).hasSize((int) h.count("SELECT count(*) FROM census.roster_current"));
                assertThat(rows(lake.table(LakeTable.RUNS), null)).hasSize(2);
            }
        }
    }

    /** Past the setting's count of files, a network's unames partition and month of user_events are rewritten as one, rows kept. */
    @Test
    void partitionsThatPileUpFilesAreCompactedWithTheirRowsKept() throws Exception {
        Path root = TestFiles.dir("iceberg-compact");
        try (JobHarness h = new JobHarness(300, 20, TestDatabases.newDatabase("iceberg"), JobHarness.PERIODS, b -> b.churnRate(0.05))) {
            IcebergSettings compacting = new IcebergSettings(true, IcebergSettings.JDBC, null, new FileRoot.Directory(root), Map.of(),
                    IcebergSettings.DEFAULT_EXPIRE_DAYS, 3);
            Map<String, Set<String>> before = null;
            for (String n : List.of("2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23")) {
                if (n.equals("2026-11-23")) {
                    try (Lake lake = lake(h, root)) {
                        before = tables(lake);
                        assertThat(files(lake.table(LakeTable.UNAMES))).as("a file a night").isEqualTo(3);
                        assertThat(files(lake.table(LakeTable.USER_EVENTS))).isEqualTo(3);
                    }
                }
                RunSettings s = night(h, n, root);
                assertThat(h.run(h.builder(n).parquet(s.parquet()).iceberg(compacting).build(), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);
                h.emulator.advanceDays(h.network, 1);
            }
            try (Lake lake = lake(h, root)) {
                Table unames = lake.table(LakeTable.UNAMES);
                Table events = lake.table(LakeTable.USER_EVENTS);
                assertThat(files(unames)).as("four nights' files, compacted").isEqualTo(1);
                assertThat(files(events)).isEqualTo(1);
                assertThat(unames.currentSnapshot().summary()).containsEntry(Lake.OPERATION, Lake.COMPACT);
                Map<String, Set<String>> after = tables(lake);
                // what the fourth night added, and nothing lost
                assertThat(after.get("unames")).containsAll(before.get("unames"));
                assertThat(after.get("user_events")).containsAll(before.get("user_events"));
                assertThat(after.get("user_events")).hasSize((int) h.count("SELECT count(*) FROM census.user_events_by_run"));
                assertThat(rows(unames, null)).hasSize((int) h.count("SELECT count(*) FROM census.unames") );
            }
        }
    }

    static int files(Table t) throws Exception {
        int n = 0;
        try (var tasks = t.newScan().planFiles()) {
            for (var ignored : tasks) {
                n++;
            }
        }
        return n;
    }

    /**
     * Killed after a table's data files are written and before its commit, or between two tables'
     * commits: the relaunch leaves every table as an uninterrupted run does, and no file of the
     * interrupted attempt behind.
     */
    @Test
    void aCrashBetweenTheFilesAndTheCommitOrBetweenTwoTablesLosesNothingAndCommitsNothingTwice() throws Exception {
        try (JobHarness h = new JobHarness(300, 30, TestDatabases.newDatabase("iceberg"), JobHarness.PERIODS, b -> b)) {
            String reference = TestDatabases.newDatabase("icebergref");
            Path log = TestFiles.log("iceberg-crash");
            assertThat(JobHarness.await(h.launchChild(reference, "2026-11-20", null, log))).as(Files.readString(log)).isEqualTo(ExitCodes.OK);
            Map<String, Set<String>> expected;
            try (Lake lake = JobHarness.lake(reference, new FileRoot.Directory(h.outputDir(reference)))) {
                expected = tables(lake);
            }
            for (String point : List.of("iceberg.before-commit:2", "iceberg.before-runs", "iceberg.after-commit:5")) {
                String db = TestDatabases.newDatabase("icebergcrash");
                assertThat(JobHarness.await(h.launchChild(db, "2026-11-20", point, log))).as(point + Files.readString(log)).isEqualTo(137);
                assertThat(JobHarness.await(h.launchChild(db, "2026-11-20", null, log))).as(point + Files.readString(log))
                        .isIn(ExitCodes.OK, ExitCodes.ALREADY_COMPLETE);
                Path warehouse = h.outputDir(db);
                try (Lake lake = JobHarness.lake(db, new FileRoot.Directory(warehouse))) {
                    assertThat(tables(lake)).as(point).isEqualTo(expected);
                    for (LakeTable def : LakeTable.ALL) {
                        Table t = lake.table(def);
                        assertThat(t.snapshots()).as(point + " " + def.name()).hasSize(1);
                        Set<String> listed = new TreeSet<>();
                        t.newScan().planFiles().forEach(f -> listed.add(f.file().location()));
                        Set<String> onDisk;
                        try (var files = Files.walk(LocalFileIO.path(t.location() + "/data"))) {
                            onDisk = files.filter(Files::isRegularFile).map(LocalFileIO::location).collect(Collectors.toCollection(TreeSet::new));
                        } catch (java.nio.file.NoSuchFileException none) {
                            onDisk = Set.of();
                        }
                        assertThat(onDisk).as(point + " " + def.name() + ": no file of the interrupted attempt is left").isEqualTo(listed);
                    }
                }
            }
        }
    }
}
