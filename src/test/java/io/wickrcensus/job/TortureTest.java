package io.wickrcensus.job;

import io.wickrcensus.testing.TestFiles;
import io.wickrcensus.testing.Await;
import io.wickrcensus.testing.JobHarness;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.testing.S3Proxy;
import io.wickrcensus.testing.TestDatabases;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The torture suite: {@code mvn verify} runs it after the other tests ({@code -DskipTorture} leaves it out).
 * Every scenario runs the job in child JVMs, compares what it stored in PostgreSQL and Parquet with
 * an uninterrupted reference run's by content digest, and prints its trials and failures.
 * {@code -Dcensus.torture.seed=S} replays the random moments; {@code -Dcensus.torture.trials=N}
 * and {@code -Dcensus.torture.kills=K} make it longer.
 */
@Tag("torture")
class TortureTest {

    static final String AS_OF = "2026-11-20";
    static JobHarness h;
    static Map<String, String> expected;
    static long seed;
    static Random random;
    /** How long an uninterrupted child run takes, JVM start included. */
    static long runMillis;
    static final Map<String, String> report = new LinkedHashMap<>();

    @BeforeAll
    static void reference() throws Exception {
        seed = Long.getLong("census.torture.seed", System.nanoTime());
        random = new Random(seed);
        System.out.println("torture seed: " + seed + " (replay with -Dcensus.torture.seed=" + seed + ")");
        h = new JobHarness(5000, 400);
        // the Iceberg tables too, as the command line writes them by default
        assertThat(h.run(h.builder(AS_OF).iceberg(io.wickrcensus.iceberg.IcebergSettings.jdbc(
                new io.wickrcensus.parquet.FileRoot.Directory(h.outputDir))).build(), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);
        expected = digests(h.dbUrl, h.outputDir);
        assertThat(expected).containsKey("iceberg users");
        String db = TestDatabases.newDatabase("timing");
        Path log = TestFiles.log("torture-timing");
        long start = System.nanoTime();
        assertThat(JobHarness.await(h.launchChild(db, AS_OF, null, log))).as(Files.readString(log)).isEqualTo(ExitCodes.OK);
        runMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(digests(db, childOutput(db))).as("a child run equals the in-process reference").isEqualTo(expected);
        System.out.println("torture: an uninterrupted run takes " + runMillis + " ms in a child JVM");
    }

    @AfterAll
    static void summary() {
        System.out.println("torture summary (seed " + seed + "):");
        report.forEach((k, v) -> System.out.println("  " + k + ": " + v));
        if (h != null) {
            h.close();
        }
    }

    static Path childOutput(String db) {
        return h.outputDir.resolve(Integer.toHexString(db.hashCode()));
    }

    static Map<String, String> digests(String db, Path parquet) throws Exception {
        Map<String, String> d = new LinkedHashMap<>(JobHarness.digest(db));
        d.putAll(JobHarness.parquetDigest(parquet));
        d.putAll(JobHarness.icebergDigest(db, parquet)); // read with Iceberg's own reader; Spark reads them in IcebergEngineTest
        return d;
    }

    /** Runs the command until it completes (at most {@code max} launches); returns the exit codes. */
    static List<Integer> untilDone(String db, Map<String, String> env, Path log, int max, String... extraArgs) throws Exception {
        return untilDone(h, AS_OF, db, env, log, max, extraArgs);
    }

    static List<Integer> untilDone(JobHarness harness, String asOf, String db, Map<String, String> env, Path log, int max,
                                   String... extraArgs) throws Exception {
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            int code = JobHarness.await(harness.launchChild(db, env, asOf, null, log, extraArgs));
            codes.add(code);
            if (code == ExitCodes.OK || code == ExitCodes.ALREADY_COMPLETE) {
                break;
            }
        }
        return codes;
    }

    /**
     * The night a trial runs: its emulator, its date, a database to start it from, how long it takes
     * uninterrupted, and the digests an uninterrupted run ends with.
     */
    record Night(JobHarness harness, String asOf, java.util.function.Supplier<String> freshDb, long runMillis,
                 Map<String, String> expected) {
    }

    /** The first night of {@link #h}, from an empty database. */
    static Night firstNight() {
        return new Night(h, AS_OF, () -> TestDatabases.newDatabase("torture_kill"), runMillis, expected);
    }

    @Test
    void sigkillAtRandomMomentsThenRelaunchGivesTheSameSnapshot() throws Exception {
        sigkillTrials("SIGKILL at random moments", firstNight(), Integer.getInteger("census.torture.trials", 3), db -> new Output(Map.of(),
                new String[0], () -> childOutput(db), true));
    }

    @Test
    void sigkillWithTheDatasetsOnS3ThenRelaunchGivesTheSameSnapshot() throws Exception {
        S3Proxy s3 = S3Proxy.get();
        sigkillTrials("SIGKILL with S3 output", firstNight(), Integer.getInteger("census.torture.trials", 2), db -> {
            String bucket = s3.newBucket();
            // the tables' metadata names s3:// locations, which the downloaded copy cannot be read by: the datasets only here
            return new Output(s3.env(), new String[] {"--output-dir", "s3://" + bucket + "/census", "--iceberg", "off"}, () -> {
                assertThat(s3.openUploads(bucket, "")).as("multipart uploads left open").isEmpty();
                return s3.download(bucket, "census", TestFiles.dir("torture-s3"));
            }, false);
        });
    }

    /** Where a trial's child runs write their datasets, how to read them back as a directory, and whether the Iceberg tables are compared. */
    record Output(Map<String, String> env, String[] args, java.util.concurrent.Callable<Path> readBack, boolean iceberg) {
    }

    static Map<String, String> withoutIceberg(Map<String, String> digests) {
        Map<String, String> d = new LinkedHashMap<>(digests);
        d.keySet().removeIf(k -> k.startsWith("iceberg "));
        return d;
    }

    private void sigkillTrials(String name, Night night, int trials, java.util.function.Function<String, Output> output) throws Exception {
        int killsPerTrial = Integer.getInteger("census.torture.kills", 4);
        int kills = 0;
        List<String> failures = new ArrayList<>();
        // a trial whose moments all fell after its run ended killed nothing and proved nothing: up to twice as many more are run
        // then (the uninterrupted run that sets the moments may have been slowed by a loaded machine)
        int ran = 0;
        for (int t = 0; t < trials || (kills == 0 && t < 3 * trials); t++) {
            ran++;
            String db = night.freshDb().get();
            Output out = output.apply(db);
            Path log = TestFiles.log("torture-kill");
            List<Long> moments = new ArrayList<>();
            for (int k = 0; k < killsPerTrial; k++) {
                long at = 200 + (long) (random.nextDouble() * night.runMillis());
                Process p = night.harness().launchChild(db, out.env(), night.asOf(), null, log, out.args());
                if (p.waitFor(at, TimeUnit.MILLISECONDS)) {
                    break; // it finished first
                }
                p.destroyForcibly(); // SIGKILL
                p.waitFor(30, TimeUnit.SECONDS);
                moments.add(at);
                kills++;
            }
            List<Integer> codes = untilDone(night.harness(), night.asOf(), db, out.env(), log, 4, out.args());
            Map<String, String> got = digests(db, out.readBack().call());
            Map<String, String> want = out.iceberg() ? night.expected() : withoutIceberg(night.expected());
            if (!got.equals(want) || codes.stream().noneMatch(c -> c == ExitCodes.OK || c == ExitCodes.ALREADY_COMPLETE)) {
                failures.add("trial " + t + " killed at " + moments + " ms, relaunches " + codes + ": " + diff(want, got)
                        + "\n" + Files.readString(log));
            }
        }
        report.put(name, ran + " trials, " + kills + " kills, " + failures.size() + " failures");
        assertThat(failures).isEmpty();
        assertThat(kills).as("the moments fell inside runs").isPositive();
    }

    /**
     * A second night, after a day of churn: its users step lists the users that changed as it stages
     * them, and its publish versions only those (see {@code StagedChanges}). Killed at random moments
     * and relaunched, it ends in exactly the snapshot of an uninterrupted second night. Every trial
     * starts from a copy of the same published first night.
     */
    @Test
    void sigkillDuringASecondNightThenRelaunchGivesTheSameSnapshot() throws Exception {
        String secondNight = java.time.LocalDate.parse(AS_OF).plusDays(1).toString();
        try (JobHarness h2 = new JobHarness(5000, 400)) {
            String firstNight = TestDatabases.newDatabase("torture_night1");
            Path log1 = TestFiles.log("torture-night1");
            // Iceberg off: a copied database and directory cannot carry tables whose metadata names their own locations
            assertThat(JobHarness.await(h2.launchChild(firstNight, AS_OF, null, log1, "--iceberg", "off"))).as(Files.readString(log1))
                    .isEqualTo(ExitCodes.OK);
            h2.emulator.advanceDays(h2.network, 1);
            java.util.function.Supplier<String> fromFirstNight = () -> {
                String db = TestDatabases.copyOf(firstNight, "torture_night2");
                TestFiles.copyTree(h2.outputDir(firstNight), h2.outputDir(db));
                return db;
            };

            String reference = fromFirstNight.get();
            Path log = TestFiles.log("torture-night2");
            long start = System.nanoTime();
            assertThat(JobHarness.await(h2.launchChild(reference, secondNight, null, log, "--iceberg", "off"))).as(Files.readString(log))
                    .isEqualTo(ExitCodes.OK);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(Files.readString(log)).as("the second night's publish compares only the users listed while staging")
                    .containsPattern("users: [1-9][0-9]* compared, those listed as changed while staging; [1-9][0-9]* new or changed, [1-9]");
            Map<String, String> expected2 = digests(reference, h2.outputDir(reference));
            assertThat(expected2).as("the second night differs from the first").isNotEqualTo(digests(firstNight, h2.outputDir(firstNight)));

            sigkillTrials("SIGKILL during a second night", new Night(h2, secondNight, fromFirstNight, millis, expected2),
                    Integer.getInteger("census.torture.trials", 2), db -> new Output(Map.of(), new String[] {"--iceberg", "off"},
                            () -> h2.outputDir(db), false));
        }
    }

    @Test
    void aPostgresRestartInTheMiddleOfARunStillEndsInTheExactSnapshot() throws Exception {
        int trials = 2;
        List<String> failures = new ArrayList<>();
        int withoutRelaunch = 0;
        for (int t = 0; t < trials; t++) {
            Path data = TestFiles.dir("torture-pg");
            int port;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                port = s.getLocalPort();
            }
            EmbeddedPostgres pg = start(data, port);
            String db = pg.getJdbcUrl("postgres", "postgres");
            Path log = TestFiles.log("torture-pg");
            try {
                Process p = h.launchChild(db, AS_OF, null, log);
                // restart once the run has started, at a random moment of it
                Await.until(Duration.ofSeconds(60), () -> Files.readString(log).contains("starting run") || !p.isAlive());
                p.waitFor(random.nextInt(400), TimeUnit.MILLISECONDS); // the random moment (or the run's end, if sooner)
                pg.close();
                // down until the job has seen the connection lost (or ended: the run may have finished first)
                Await.until(Duration.ofSeconds(30), () -> Files.readString(log).contains("the database connection was lost") || !p.isAlive());
                pg = start(data, port);
                int first = JobHarness.await(p);
                List<Integer> codes = new ArrayList<>(List.of(first));
                if (first == ExitCodes.OK) {
                    withoutRelaunch++;
                } else {
                    codes.addAll(untilDone(db, Map.of(), log, 3));
                }
                Map<String, String> got = digests(db, childOutput(db));
                if (!got.equals(expected) || codes.stream().noneMatch(c -> c == ExitCodes.OK)) {
                    failures.add("trial " + t + ", exit codes " + codes + ": " + diff(got) + "\n" + Files.readString(log));
                }
            } finally {
                pg.close();
                io.wickrcensus.parquet.PartitionWriter.deleteTree(data);
            }
        }
        report.put("PostgreSQL restarted mid-run", trials + " trials, " + withoutRelaunch + " completed without a relaunch, "
                + failures.size() + " failures");
        assertThat(failures).isEmpty();
    }

    static EmbeddedPostgres start(Path data, int port) throws java.io.IOException {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port)
                .setServerConfig("max_connections", "100").start();
    }

    @Test
    void tenPercentOf429s500sTimeoutsAndMalformedBodiesLeaveTheSnapshotExact() throws Exception {
        int trials = 2;
        List<String> failures = new ArrayList<>();
        long faults = 0;
        try {
            for (int t = 0; t < trials; t++) {
                h.emulator.resetStats();
                // 10% of calls fail, a quarter each: throttled, server error, too slow for the client, broken JSON
                h.emulator.faults().fail429(0.025).fail500(0.025).stall(0.025, 1500).malformed(0.025);
                String db = TestDatabases.newDatabase("torture_faults");
                Path log = TestFiles.log("torture-faults");
                List<Integer> codes = untilDone(db, Map.of("CENSUS_API_READ_TIMEOUT_MS", "500"), log, 3);
                Map<String, Long> stats = h.emulator.stats();
                long injected = stats.entrySet().stream().filter(e -> e.getKey().startsWith("fault.")).mapToLong(Map.Entry::getValue).sum();
                faults += injected;
                Map<String, String> got = digests(db, childOutput(db));
                if (!got.equals(expected) || codes.stream().noneMatch(c -> c == ExitCodes.OK)
                        || stats.getOrDefault("fault.STALL", 0L) == 0 || stats.getOrDefault("fault.MALFORMED", 0L) == 0) {
                    failures.add("trial " + t + ", exit codes " + codes + ", stats " + stats + ": " + diff(got) + "\n" + Files.readString(log));
                }
            }
        } finally {
            h.emulator.faults().clear();
        }
        report.put("10% API faults", trials + " trials, " + faults + " faults injected, " + failures.size() + " failures");
        assertThat(failures).isEmpty();
    }

    @Test
    void twoLaunchesAtOnceForTheSameNetworkAndDateRunExactlyOnce() throws Exception {
        int trials = 3;
        List<String> failures = new ArrayList<>();
        for (int t = 0; t < trials; t++) {
            String db = TestDatabases.newDatabase("torture_double");
            Path logA = TestFiles.log("torture-double-a");
            Path logB = TestFiles.log("torture-double-b");
            h.emulator.resetStats();
            Process a = h.launchChild(db, AS_OF, null, logA);
            a.waitFor(random.nextInt(1500), TimeUnit.MILLISECONDS); // the second launch at a random moment of the first
            Process b = h.launchChild(db, AS_OF, null, logB);
            List<Integer> codes = List.of(JobHarness.await(a), JobHarness.await(b));
            long listUsers = h.emulator.stats().getOrDefault("ListUsers.200", 0L);
            boolean oneRan = codes.stream().filter(c -> c == ExitCodes.OK).count() == 1
                    && codes.stream().anyMatch(c -> c == ExitCodes.CONCURRENT_LAUNCH || c == ExitCodes.ALREADY_COMPLETE);
            Map<String, String> got = digests(db, childOutput(db));
            if (!oneRan || listUsers != 50 || !got.equals(expected)) {
                failures.add("trial " + t + ", exit codes " + codes + ", ListUsers calls " + listUsers + ": " + diff(got)
                        + "\n" + Files.readString(logA) + "\n----\n" + Files.readString(logB));
            }
        }
        report.put("double launch", trials + " trials, " + failures.size() + " failures");
        assertThat(failures).isEmpty();
    }

    static String diff(Map<String, String> got) {
        return diff(expected, got);
    }

    static String diff(Map<String, String> expected, Map<String, String> got) {
        StringBuilder b = new StringBuilder();
        expected.forEach((k, v) -> {
            if (!v.equals(got.get(k))) {
                b.append(k).append(" expected ").append(v).append(" got ").append(got.get(k)).append("; ");
            }
        });
        return b.length() == 0 ? "digests equal" : b.toString();
    }
}
