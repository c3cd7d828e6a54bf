package io.wickrcensus.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.wickrcensus.job.CensusRun;
import io.wickrcensus.job.run.ReinviteSettings;
import io.wickrcensus.job.run.RunMetrics;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.db.DatabaseLocation;
import io.wickrcensus.db.DatabaseSettings;
import io.wickrcensus.parquet.ParquetSettings;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The benchmark: an emulator in its own process, an embedded (or configured) PostgreSQL, and the
 * whole job in this process, night after night with churn between them; what each night cost
 * against its lower bound.
 */
public final class Bench {

    private static final String ACCESS_KEY = "AKIDBENCH";
    private static final String SECRET = "bench-secret";

    /** {@code peerScript}: the shell peer to run before the nights (see {@link Peer}), or null. */
    public record Options(int users, int guests, List<YearMonth> periods, int latencyMs, double rateLimit, int concurrency,
                          int nights, double churnRate, long seed, boolean parquet, Path workDir, Path peerScript, boolean iceberg) {
    }

    /**
     * The README's comparison: a plain script (curl with its own SigV4, jq, psql) doing what the
     * job does, one call after another, against the same emulator before the first night; its wall
     * time, and its own line of what it loaded.
     */
    public record Peer(double wallSeconds, String loaded) {
    }

    public record Step(String step, double seconds, long rows, double rowsPerSecond) {
    }

    /**
     * One night's figures. The lower bound is max(ListUsers pages x L, the longest guest period's
     * pages x L, successful calls / R): no run can take less.
     */
    public record Night(int night, LocalDate asOf, int exitCode, double wallSeconds, double usersPerSecond,
                        Phases phases, List<Step> steps, Map<String, Long> calls, long retries, long throttled,
                        long userPages, long maxGuestPages, long successfulCalls, double lowerBoundSeconds, double ratio,
                        long peakHeapMb, long peakHeapAfterGcMb, long peakRssMb,
                        long newUnames, long lookupCalls, long lookupCallsNeeded, Map<String, Double> emulatorMsPerCall,
                        Cpu cpu) {
    }

    /**
     * The CPU seconds the night cost each process, from {@code /proc}: the job (this JVM), PostgreSQL
     * (its postmaster, backends and workers: the whole server, when it is the machine's), and the
     * emulator, which the job's figures do not count. NaN where this host cannot see a process.
     */
    public record Cpu(double job, double postgres, double emulator) {
    }

    /**
     * Where a night's wall time went: start-up (from the launch to the first step: the Spring
     * context, migrations, the lease, the ledger), the API-bound phase (from the first step's start
     * to the end of the last of users, guests and unames), the tail after it (reconcile, re-invite,
     * publish, Parquet), and the close after the last step.
     */
    public record Phases(double startupSeconds, double apiSeconds, double tailSeconds, double closeSeconds) {

        static final java.util.Set<String> API_STEPS = java.util.Set.of("users", "guestPeriod", "unames");

        static Phases of(java.time.Instant launched, java.time.Instant ended, Map<String, RunMetrics.Span> spans) {
            if (spans.isEmpty()) {
                return new Phases(seconds(launched, ended), 0, 0, 0);
            }
            java.time.Instant first = spans.values().stream().map(RunMetrics.Span::start).min(java.util.Comparator.naturalOrder()).orElseThrow();
            java.time.Instant last = spans.values().stream().map(RunMetrics.Span::end).max(java.util.Comparator.naturalOrder()).orElseThrow();
            java.time.Instant apiEnd = spans.entrySet().stream().filter(e -> API_STEPS.contains(e.getKey())).map(e -> e.getValue().end())
                    .max(java.util.Comparator.naturalOrder()).orElse(first);
            return new Phases(seconds(launched, first), seconds(first, apiEnd), seconds(apiEnd, last), seconds(last, ended));
        }

        private static double seconds(java.time.Instant from, java.time.Instant to) {
            return Math.max(0, java.time.Duration.between(from, to).toNanos() / 1e9);
        }
    }

    public record Result(Options options, Peer peer, List<Night> nights) {
    }

    private Bench() {
    }

    /**
     * Runs the nights. {@code mainClass} is the program's entry point, which starts the emulator in
     * a process of its own (unless this process runs from the executable jar, which starts itself).
     */
    public static Result run(Options o, DatabaseSettings database, String mainClass, java.io.PrintStream progress) throws Exception {
        List<String> emulatorArgs = new ArrayList<>(List.of("--seed", Long.toString(o.seed()), "--users", Integer.toString(o.users()),
                "--guests", Integer.toString(o.guests()), "--guest-variation", "off",
                "--periods", String.join(",", o.periods().stream().map(YearMonth::toString).toList()),
                "--access-key", ACCESS_KEY, "--secret-key", SECRET, "--latency-ms", Integer.toString(o.latencyMs()),
                "--rate-limit", Double.toString(o.rateLimit()), "--churn-rate", Double.toString(o.churnRate()),
                "--prerendered-pages", "on"));
        Files.createDirectories(o.workDir());
        List<Night> nights = new ArrayList<>();
        GcWatch gc = new GcWatch();
        Peer peer = null;
        try (EmulatorProcess emulator = EmulatorProcess.start(mainClass, emulatorArgs);
             DatabaseLocation db = DatabaseLocation.resolve(database)) {
            progress.println("emulator (own process) at " + emulator.endpoint + ", network " + emulator.networkId);
            peer = o.peerScript() == null ? null : peer(o, emulator, db, progress);
            // the nights end today: a snapshot date after tomorrow is refused
            LocalDate first = LocalDate.now(java.time.ZoneOffset.UTC).minusDays(o.nights() - 1L);
            for (int n = 1; n <= o.nights(); n++) {
                if (n > 1) {
                    emulator.churn(1);
                }
                LocalDate asOf = first.plusDays(n - 1L);
                RunSettings settings = RunSettings.builder().networkId(emulator.networkId).asOf(asOf).billingPeriodMonths(o.periods())
                        .endpoint(emulator.endpoint).parallelism(1).unameConcurrency(o.concurrency())
                        .apiRatePerSecond(o.rateLimit() * 0.95).reconcileTolerance(0.0).database(database)
                        .parquet(ParquetSettings.DEFAULT.withEnabled(o.parquet()).withOutputDir(o.workDir().resolve("parquet")))
                        .iceberg(io.wickrcensus.iceberg.IcebergSettings.jdbc(new io.wickrcensus.parquet.FileRoot.Directory(
                                o.workDir().resolve("parquet"))).withEnabled(o.iceberg()))
                        .build();
                RunMetrics metrics = new RunMetrics();
                System.gc();
                gc.reset();
                resetPeakRss();
                Map<String, Long> emulatorBefore = emulator.stats();
                long postmaster = ProcessCpu.postmaster(db.dataSource());
                ProcessCpu.Sample cpuBefore = ProcessCpu.sample(emulator.pid(), postmaster);
                long start = System.nanoTime();
                java.time.Instant launched = java.time.Instant.now();
                int code = CensusRun.execute(settings, StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET)),
                        db, metrics);
                double wall = (System.nanoTime() - start) / 1e9;
                Phases phases = Phases.of(launched, java.time.Instant.now(), metrics.stepSpans());
                ProcessCpu.settle(); // the run's connections are closed: their backends' CPU counts once PostgreSQL has reaped them
                ProcessCpu.Sample cpu = ProcessCpu.sample(emulator.pid(), postmaster).minus(cpuBefore);
                nights.add(night(n, asOf, code, wall, phases, metrics, gc, db, emulator.networkId, o,
                        workPerCall(emulatorBefore, emulator.stats()), new Cpu(cpu.job(), cpu.postgres(), cpu.emulator())));
                progress.println("night " + n + " (" + asOf + "): exit " + code + " in " + String.format(java.util.Locale.ROOT, "%.1f s", wall));
                if (code != 0) {
                    break;
                }
            }
        } finally {
            gc.close();
        }
        return new Result(o, peer, nights);
    }

    /** The shell peer's process: the script, with the emulator, the credentials and the database (libpq's terms) in its environment. */
    static ProcessBuilder peerProcess(Path script, java.net.URI endpoint, String network, List<YearMonth> periods, DatabaseLocation db,
                                      String accessKey, String secret) {
        String jdbc = db.url();
        java.util.regex.Matcher user = java.util.regex.Pattern.compile("[?&]user=([^&]*)").matcher(jdbc);
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
        Map<String, String> peerEnv = pb.environment();
        peerEnv.put("PEER_ENDPOINT", endpoint.toString());
        peerEnv.put("PEER_REGION", "us-east-1");
        peerEnv.put("PEER_NETWORK", network);
        peerEnv.put("PEER_PERIODS", String.join(",", periods.stream().map(YearMonth::toString).toList()));
        peerEnv.put("PEER_PSQL", jdbc.replaceFirst("^jdbc:", "").replaceFirst("\\?.*$", "")); // libpq takes none of JDBC's parameters
        peerEnv.put("AWS_ACCESS_KEY_ID", accessKey);
        peerEnv.put("AWS_SECRET_ACCESS_KEY", secret);
        if (db.user() != null || user.find()) {
            peerEnv.put("PGUSER", db.user() != null ? db.user() : user.group(1));
        }
        if (db.password() != null) {
            peerEnv.put("PGPASSWORD", db.password());
        }
        return pb;
    }

    /** Runs the shell peer against the emulator, into the schema {@code peer} of the job's database. */
    private static Peer peer(Options o, EmulatorProcess emulator, DatabaseLocation db, java.io.PrintStream progress)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(o.peerScript())) {
            throw new IllegalArgumentException("--peer " + o.peerScript() + " is not a file (the script is src/test/resources/peer/census-peer.sh)");
        }
        ProcessBuilder pb = peerProcess(o.peerScript(), emulator.endpoint, emulator.networkId, o.periods(), db, ACCESS_KEY, SECRET);
        progress.println("peer script " + o.peerScript() + " ...");
        long start = System.nanoTime();
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        int code = p.waitFor();
        double wall = (System.nanoTime() - start) / 1e9;
        if (code != 0) {
            throw new IllegalStateException("the peer script failed (exit " + code + "): " + output);
        }
        String loaded = output.lines().reduce((a, b) -> b).orElse("");
        progress.println("peer script: " + loaded + " in " + String.format(java.util.Locale.ROOT, "%.1f s", wall));
        return new Peer(wall, loaded);
    }

    /**
     * Milliseconds the emulator spent on each call of an operation between two readings of its
     * stats, besides the injected latency: what a call costs past L, on the emulator's side.
     */
    static Map<String, Double> workPerCall(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Double> out = new java.util.TreeMap<>();
        String prefix = "workMicros.";
        after.forEach((key, micros) -> {
            if (key.startsWith(prefix)) {
                String op = key.substring(prefix.length());
                long calls = after.getOrDefault(op + ".200", 0L) - before.getOrDefault(op + ".200", 0L);
                if (calls > 0) {
                    out.put(op, (micros - before.getOrDefault(key, 0L)) / 1000.0 / calls);
                }
            }
        });
        return out;
    }

    private static Night night(int n, LocalDate asOf, int code, double wall, Phases phases, RunMetrics m, GcWatch gc, DatabaseLocation db,
                               String network, Options o, Map<String, Double> emulatorMsPerCall, Cpu cpu) throws SQLException {
        Map<String, Long> rows = m.rows();
        Map<String, Double> seconds = m.stepSeconds();
        Map<String, String> tableOf = new LinkedHashMap<>();
        tableOf.put("users", "stage_user");
        tableOf.put("guestPeriod", "stage_guest");
        tableOf.put("unames", "uname_directory");
        tableOf.put("reconcile", null);
        tableOf.put("reinvite", "reinvitation");
        tableOf.put("publish", "user_version");
        tableOf.put("parquet", null);
        tableOf.put("iceberg", null);
        List<Step> steps = new ArrayList<>();
        tableOf.forEach((step, table) -> {
            double s = seconds.getOrDefault(step, 0.0);
            long r = table == null ? 0 : rows.getOrDefault(table, 0L) + (step.equals("unames") ? rows.getOrDefault("uname_lookup_failure", 0L)
                    : step.equals("publish") ? rows.getOrDefault("guest_version", 0L) : 0L);
            steps.add(new Step(step, s, r, s > 0 ? r / s : 0));
        });
        long users = rows.getOrDefault("stage_user", 0L);
        long userPages = Math.max(1, (users + 99) / 100);
        long maxGuestPages = 0;
        long newUnames = 0;
        try (Connection c = db.connect()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT coalesce(max(p.guests_staged), 0) FROM census.run_period p JOIN census.run r USING (run_id)
                    WHERE r.network_id = ? AND r.as_of = ?""")) {
                ps.setString(1, network);
                ps.setObject(2, asOf);
                maxGuestPages = Math.max(1, (single(ps) + 99) / 100);
            }
            // unames this snapshot holds that the previous one did not: all a later night should pay for
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH runs AS (SELECT run_id, snapshot_date FROM census.published_runs WHERE network_id = ? AND snapshot_date <= ?),
                         cur AS (SELECT max(snapshot_date) d FROM runs),
                         prev AS (SELECT max(snapshot_date) d FROM runs WHERE snapshot_date < (SELECT d FROM cur)),
                         held AS (SELECT r.snapshot_date, u.uname FROM census.roster_by_run u JOIN runs r USING (run_id) WHERE u.uname IS NOT NULL
                                  UNION SELECT r.snapshot_date, g.username_hash FROM census.guests_by_run g JOIN runs r USING (run_id))
                    SELECT count(*) FROM (SELECT uname FROM held WHERE snapshot_date = (SELECT d FROM cur)
                                          EXCEPT SELECT uname FROM held WHERE snapshot_date = (SELECT d FROM prev)) x""")) {
                ps.setString(1, network);
                ps.setObject(2, asOf);
                newUnames = single(ps);
            }
        }
        Map<String, Long> ok = m.calls("ok");
        long successful = ok.values().stream().mapToLong(Long::longValue).sum();
        double lb = Math.max(Math.max(userPages * o.latencyMs() / 1000.0, maxGuestPages * o.latencyMs() / 1000.0),
                o.rateLimit() > 0 ? successful / o.rateLimit() : 0);
        return new Night(n, asOf, code, wall, users / wall, phases, steps, m.calls(), m.retries(), m.throttled(), userPages, maxGuestPages,
                successful, lb, lb > 0 ? wall / lb : 0, gc.peakUsed() >> 20, gc.peakAfterGc() >> 20, peakRss() >> 20,
                newUnames, ok.getOrDefault("BatchLookupUserUname", 0L), (newUnames + 49) / 50, emulatorMsPerCall, cpu);
    }

    private static long single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Resets the kernel's peak-RSS mark of this process (Linux); harmless where it cannot. */
    private static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException e) {
            // the peak then counts from the process start
        }
    }

    /** Peak resident set size of this process in bytes (VmHWM), or 0 where /proc is absent. */
    static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return 0;
    }

    /**
     * Peak heap: the largest heap occupancy the collector saw, and the live set: the most heap
     * still in use right after a full collection, sampled every {@link #LIVE_SAMPLE_MS} ms. The
     * heap left after an ordinary (young) collection still holds the old generation's garbage, and
     * overstated the live set several times over; a full collection every few seconds costs the
     * run a few tens of milliseconds each at these heap sizes.
     */
    static final class GcWatch implements AutoCloseable {
        static final long LIVE_SAMPLE_MS = 5_000;
        private final AtomicLong afterGc = new AtomicLong();
        private final AtomicLong beforeGc = new AtomicLong();
        private final NotificationListener listener = (notification, handback) -> {
            if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo();
                beforeGc.accumulateAndGet(heap(info.getMemoryUsageBeforeGc()), Math::max);
            }
        };
        private final java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "live-heap-sampler");
            t.setDaemon(true);
            return t;
        });
        private final List<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).toList();

        GcWatch() {
            for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) b).addNotificationListener(listener, null, null);
            }
            sampler.scheduleWithFixedDelay(this::sampleLive, LIVE_SAMPLE_MS, LIVE_SAMPLE_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        /** A full collection, then what is still in use: the live set at this moment. */
        private void sampleLive() {
            System.gc();
            afterGc.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
        }

        private long heap(Map<String, MemoryUsage> pools) {
            return pools.entrySet().stream().filter(e -> heapPools.contains(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum();
        }

        void reset() {
            afterGc.set(0);
            beforeGc.set(0);
        }

        /** The most heap in use: before any collection, or now if more. */
        long peakUsed() {
            return Math.max(beforeGc.get(), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }

        /** The largest live set sampled; sampled once more now when no sample fell inside the night. */
        long peakAfterGc() {
            if (afterGc.get() == 0) {
                sampleLive();
            }
            return afterGc.get();
        }

        @Override
        public void close() {
            sampler.shutdownNow();
            for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
                try {
                    ((NotificationEmitter) b).removeNotificationListener(listener);
                } catch (javax.management.ListenerNotFoundException e) {
                    // already gone
                }
            }
        }
    }
}
