package io.wickrcensus.testing;

import io.wickrcensus.db.DatabaseSettings;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.job.run.ReinviteSettings;
import io.wickrcensus.job.CensusRun;

import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.api.WickrClientConfig;
import io.wickrcensus.api.model.GuestUser;
import io.wickrcensus.api.model.ListGuestUsersRequest;
import io.wickrcensus.api.model.ListUsersRequest;
import io.wickrcensus.api.model.User;
import io.wickrcensus.emulator.EmulatorConfig;
import io.wickrcensus.emulator.WickrEmulator;
import io.wickrcensus.parquet.ParquetSettings;
import io.wickrcensus.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** An emulator, a fresh database, and the means to run the job against them and read what it stored. */
public final class JobHarness implements AutoCloseable {

    public static final String ACCESS_KEY = "AKIDJOBTEST";
    public static final String SECRET = "job-test-secret";
    public static final List<YearMonth> PERIODS = List.of(YearMonth.of(2026, 10), YearMonth.of(2026, 11));

    public final WickrEmulator emulator;
    public final List<YearMonth> periods;
    public final String network;
    public final String dbUrl;
    public final Path outputDir;
    public ParquetSettings parquet;

    public JobHarness(int users, int guests) throws Exception {
        this(users, guests, TestDatabases.newDatabase("census"));
    }

    public JobHarness(int users, int guests, String dbUrl) throws Exception {
        this(users, guests, dbUrl, PERIODS);
    }

    /** The emulator serves {@code periods}, and the job's runs cover them. */
    public JobHarness(int users, int guests, String dbUrl, List<YearMonth> periods) throws Exception {
        this(users, guests, dbUrl, periods, b -> b);
    }

    /** The same, with the emulator's configuration adjusted (count semantics, clock skew, ...). */
    public JobHarness(int users, int guests, String dbUrl, List<YearMonth> periods,
                      java.util.function.UnaryOperator<EmulatorConfig.Builder> emulatorConfig) throws Exception {
        this.periods = List.copyOf(periods);
        this.emulator = WickrEmulator.start(emulatorConfig.apply(EmulatorConfig.builder().seed(7).users(users).guests(guests)
                .periods(periods).accessKey(ACCESS_KEY).secretKey(SECRET)).build());
        this.network = emulator.networkIds().get(0);
        this.dbUrl = dbUrl;
        this.outputDir = TestFiles.dir("census-parquet");
        this.parquet = new ParquetSettings(true, new io.wickrcensus.parquet.FileRoot.Directory(outputDir), org.apache.parquet.hadoop.metadata.CompressionCodecName.ZSTD,
                512L << 20, 64L << 20);
    }

    public RunSettings settings(String asOf, String... networks) {
        return settings(asOf, ReinviteSettings.OFF, networks);
    }

    public RunSettings settings(String asOf, ReinviteSettings reinvite, String... networks) {
        return builder(asOf, networks).reinvite(reinvite).build();
    }

    /** The settings of a run of these networks (default: this one) against this emulator and database, to adjust. */
    public RunSettings.Builder builder(String asOf, String... networks) {
        return RunSettings.builder().networkIds(networks.length == 0 ? List.of(network) : List.of(networks))
                .asOf(LocalDate.parse(asOf)).billingPeriodMonths(periods).endpoint(emulator.endpoint())
                .maxAttempts(4).parallelism(2).unameConcurrency(4).reconcileTolerance(0.0).copyBatchRows(1000)
                .database(database(dbUrl)).parquet(parquet);
    }

    /** The settings that point the job at a test database. */
    public static DatabaseSettings database(String url) {
        return new DatabaseSettings(url, "postgres", "", Path.of("unused"));
    }

    /**
     * Runs {@code wickr-census run} for this network and {@code asOf} in a child JVM against this
     * emulator and the given database, halting at {@code crashAt} when given; output goes to {@code log}.
     */
    public Process launchChild(String db, String asOf, String crashAt, Path log, String... extraArgs) throws java.io.IOException {
        return launchChild(db, Map.of(), asOf, crashAt, log, extraArgs);
    }

    /** The same, with more environment for the child (and {@code --output-dir} among the extra arguments, if given, instead of {@link #outputDir(String)}). */
    public Process launchChild(String db, Map<String, String> env, String asOf, String crashAt, Path log, String... extraArgs)
            throws java.io.IOException {
        List<String> args = new ArrayList<>(List.of("run",
                "--network-id", network, "--as-of", asOf, "--billing-periods", periods.stream().map(YearMonth::toString).collect(java.util.stream.Collectors.joining(",")),
                "--endpoint", emulator.endpoint().toString(), "--reconcile-tolerance", "0",
                "--copy-batch-rows", "1000", "--max-attempts", "4"));
        if (!List.of(extraArgs).contains("--output-dir")) {
            args.addAll(List.of("--output-dir", outputDir(db).toString()));
        }
        args.addAll(List.of(extraArgs));
        return launchCommand(db, env, crashAt, log, args);
    }

    /** Where the child JVMs of {@link #launchChild} against database {@code db} write the Parquet datasets. */
    public Path outputDir(String db) {
        return outputDir.resolve(Integer.toHexString(db.hashCode()));
    }

    /** {@code wickr-census retract} of this network's snapshot of {@code asOf} in a child JVM, as {@link #launchChild}. */
    public Process launchRetract(String db, String asOf, String crashAt, Path log, String reason) throws java.io.IOException {
        return launchCommand(db, Map.of(), crashAt, log, List.of("retract", "--network-id", network, "--as-of", asOf,
                "--reason", reason, "--output-dir", outputDir(db).toString()));
    }

    /** A {@code wickr-census} command line in a child JVM against database {@code db}, halting at {@code crashAt} when given. */
    public Process launchCommand(String db, Map<String, String> env, String crashAt, Path log, List<String> args)
            throws java.io.IOException {
        // C1 only, as the image and the README launch the job: cheaper and faster for runs of any size (docs/benchmarks.md)
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + TestFiles.root()));
        if (crashAt != null) {
            cmd.add("-Dcensus.crash-at=" + crashAt);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), io.wickrcensus.cli.Main.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(TestDatabases.env(db));
        pb.environment().put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        pb.environment().put("AWS_SECRET_ACCESS_KEY", SECRET);
        pb.environment().put("AWS_REGION", "us-east-1");
        pb.environment().putAll(env);
        return pb.start();
    }

    public static int await(Process p) throws InterruptedException {
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM did not finish within 120 s");
        }
        return p.exitValue();
    }

    public int run(String asOf) {
        return run(settings(asOf), SECRET);
    }

    public int run(RunSettings settings, String secret) {
        return CensusRun.execute(settings, StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, secret)));
    }

    public WickrAdminClient client() {
        return WickrAdminClient.create(WickrClientConfig.builder().endpoint(emulator.endpoint())
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET))).build());
    }

    /** What the emulator serves right now, read through the client. */
    public List<User> servedUsers() {
        try (WickrAdminClient c = client()) {
            List<User> out = new ArrayList<>();
            c.listAllUsers(ListUsersRequest.builder(network).maxResults(100).build()).forEach(out::add);
            return out;
        }
    }

    public List<GuestUser> servedGuests(YearMonth period) {
        try (WickrAdminClient c = client()) {
            List<GuestUser> out = new ArrayList<>();
            c.listAllGuestUsers(ListGuestUsersRequest.builder(network).maxResults(100).billingPeriod(period.toString()).build())
                    .forEach(out::add);
            return out;
        }
    }

    public List<Map<String, Object>> query(String sql, Object... args) throws SQLException {
        try (Connection c = TestDatabases.connect(dbUrl); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        Object v = rs.getObject(i);
                        if (v instanceof java.sql.Array a) {
                            v = List.of((Object[]) a.getArray());
                        }
                        row.put(rs.getMetaData().getColumnLabel(i), v);
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }

    /** Runs a statement on the test database (as its owner); returns the rows it changed. */
    public int update(String sql, Object... args) throws SQLException {
        try (Connection c = TestDatabases.connect(dbUrl); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }

    public long count(String sql, Object... args) throws SQLException {
        return ((Number) query(sql, args).get(0).values().iterator().next()).longValue();
    }

    /**
     * Content digests of what the job stored, independent of ids and times: the roster of every
     * published run, guests, the uname directory, lookup failures, the ledger's counts.
     */
    public static Map<String, String> digest(String url) throws SQLException {
        Map<String, String> d = new LinkedHashMap<>();
        String[][] parts = {
            {"roster", "SELECT snapshot_date, user_id, first_name, last_name, username, security_groups, is_admin, suspended, status, "
                    + "otp_enabled, scim_id, type, cell, country_code, challenge_failures, is_invite_expired, is_user, code_validation, uname "
                    + "FROM census.roster_by_run"},
            {"user_versions", "SELECT v.network_id, v.user_id, rf.as_of AS from_date, rt.as_of AS to_date, v.username, v.is_admin, "
                    + "v.suspended, v.status FROM census.user_version v JOIN census.run rf ON rf.publish_seq = v.valid_from "
                    + "LEFT JOIN census.run rt ON rt.publish_seq = v.valid_to"},
            {"guests", "SELECT network_id, billing_period, snapshot_date, username, username_hash FROM census.guests_by_run"},
            {"unames", "SELECT network_id, uname, username FROM census.uname_directory"},
            {"failures", "SELECT r.network_id, r.as_of, f.uname, f.field, f.reason FROM census.uname_lookup_failure f JOIN census.run r USING (run_id)"},
            {"runs", "SELECT network_id, as_of, billing_periods, status, users_staged, users_reported, bots_staged, bots_reported, "
                    + "users_count_reading, reconcile_outcome, unames_failed FROM census.run"},
            {"periods", "SELECT r.network_id, r.as_of, p.billing_period, p.guests_staged, p.guests_reported FROM census.run_period p JOIN census.run r USING (run_id)"},
            {"staging_left", "SELECT run_id, user_id FROM census.stage_user UNION ALL SELECT run_id, username_hash FROM census.stage_guest "
                    + "UNION ALL SELECT run_id, user_id FROM census.stage_user_change UNION ALL SELECT run_id, 'baseline' FROM census.stage_user_baseline "
                    + "UNION ALL SELECT run_id, 'once' FROM census.stage_user_once"},
        };
        try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement()) {
            for (String[] p : parts) {
                try (ResultSet rs = s.executeQuery("SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '-') FROM ("
                        + p[1] + ") t")) {
                    rs.next();
                    d.put(p[0], rs.getLong(1) + " rows, md5 " + rs.getString(2));
                }
            }
        }
        return d;
    }

    /**
     * Content digests of the Parquet datasets under {@code root}, read back by DuckDB (ids and times
     * left out, as in {@link #digest}), and the names of any file that is not a finished part or
     * marker: a reader must never see one.
     */
    /** The Iceberg tables of test database {@code db}, their warehouse under {@code root} (as the job's JDBC catalog has them). */
    public static io.wickrcensus.iceberg.Lake lake(String db, io.wickrcensus.parquet.FileRoot root) {
        return io.wickrcensus.iceberg.Lake.open(io.wickrcensus.iceberg.IcebergSettings.jdbc(root), TestDatabases.dataSource(db), db,
                "postgres", "", org.apache.parquet.hadoop.metadata.CompressionCodecName.ZSTD, 64L << 20, 512L << 20);
    }

    /**
     * The Iceberg tables of the job's database whose warehouse is under {@code root}: each table's
     * rows (through Iceberg's own reader) and snapshot count, without what differs between two runs
     * of one night (when, how many attempts); empty when no table was made.
     */
    public static Map<String, String> icebergDigest(String db, Path root) throws Exception {
        Map<String, String> d = new LinkedHashMap<>();
        try (Connection c = TestDatabases.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM iceberg_catalog.iceberg_tables")) {
            rs.next();
            if (rs.getLong(1) == 0) {
                return d;
            }
        }
        try (io.wickrcensus.iceberg.Lake lake = lake(db, new io.wickrcensus.parquet.FileRoot.Directory(root))) {
            java.util.Set<String> leftOut = java.util.Set.of("started_at", "finished_at", "attempts", "first_resolved_at", "last_resolved_at");
            for (String name : io.wickrcensus.iceberg.Lake.tableNames()) {
                org.apache.iceberg.Table t = lake.table(name);
                List<String> names = t.schema().columns().stream().map(org.apache.iceberg.types.Types.NestedField::name)
                        .filter(n -> !leftOut.contains(n)).toList();
                java.util.TreeSet<String> rows = new java.util.TreeSet<>();
                try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.data.Record> r =
                             org.apache.iceberg.data.IcebergGenerics.read(t).build()) {
                    for (org.apache.iceberg.data.Record rec : r) {
                        rows.add(names.stream().map(n -> String.valueOf(rec.getField(n))).collect(java.util.stream.Collectors.joining("|")));
                    }
                }
                int snapshots = 0;
                for (org.apache.iceberg.Snapshot ignored : t.snapshots()) {
                    snapshots++;
                }
                d.put("iceberg " + name, rows.size() + " rows, hash " + Integer.toHexString(rows.hashCode()) + ", " + snapshots + " snapshots");
            }
        }
        return d;
    }

    public static Map<String, String> parquetDigest(Path root) throws SQLException, java.io.IOException {
        Map<String, String> d = new LinkedHashMap<>();
        String[][] parts = {
            {"users", "SELECT network_id, snapshot_date, user_id, first_name, last_name, username, security_groups, is_admin, suspended, "
                    + "status, otp_enabled, scim_id, type, cell, country_code, challenge_failures, is_invite_expired, is_user, "
                    + "code_validation, uname"},
            {"guest_users", "SELECT network_id, billing_period, snapshot_date, username, username_hash"},
            {"unames", "SELECT network_id, uname, username"},
            {"runs", "SELECT network_id, snapshot_date, billing_periods, status, users_staged, users_reported, unames_resolved, unames_failed"},
        };
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            for (String[] p : parts) {
                if (!java.nio.file.Files.isDirectory(root.resolve(p[0]))) {
                    d.put("parquet " + p[0], "missing");
                    continue;
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*), coalesce(md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)), '-') FROM ("
                        + p[1] + " FROM read_parquet('" + root.resolve(p[0]) + "/**/*.parquet', hive_partitioning = true)) t")) {
                    rs.next();
                    d.put("parquet " + p[0], rs.getLong(1) + " rows, md5 " + rs.getString(2));
                }
            }
        }
        List<String> stray = new ArrayList<>();
        for (String ds : List.of("users", "guest_users", "unames", "runs")) {
            if (!java.nio.file.Files.isDirectory(root.resolve(ds))) {
                continue;
            }
            try (var walk = java.nio.file.Files.walk(root.resolve(ds))) {
                walk.filter(java.nio.file.Files::isRegularFile).map(f -> f.getFileName().toString())
                        .filter(n -> !(n.startsWith("part-") && n.endsWith(".parquet")) && !n.equals("_SUCCESS")).forEach(stray::add);
            }
        }
        d.put("parquet stray files", stray.toString());
        return d;
    }

    @Override
    public void close() {
        emulator.close();
        io.wickrcensus.parquet.PartitionWriter.deleteTree(outputDir);
    }
}
