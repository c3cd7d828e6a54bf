package io.wickrcensus.iceberg;

import io.wickrcensus.faults.CrashPoints;
import io.wickrcensus.parquet.FileRoot;
import io.wickrcensus.parquet.ParquetExporter;
import io.wickrcensus.parquet.QueryRows;
import io.wickrcensus.parquet.S3Target;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Iceberg tables of the lake ({@code wickr_census.users}, {@code guests}, {@code unames},
 * {@code user_events}, {@code runs}), written from what PostgreSQL holds once a night is published.
 *
 * <p><b>One commit per table per night</b>, each carrying the run id, network and snapshot date in
 * its summary, and each tagging its snapshot {@code NETWORK@YYYY-MM-DD} in the same commit: an
 * auditor reads {@code VERSION AS OF '12345678@2026-12-03'}, and the tag outlives snapshot expiry.
 * The JDBC catalog has no multi-table commit, so {@code runs} is committed last, the night's
 * "published" marker. A relaunch reads each table's snapshot summaries first, so a commit is never
 * made twice nor lost; a commit whose outcome is unknown (the catalog's database failed, which
 * {@code JdbcTableOperations} reports as an unchecked SQL exception) is settled the same way. The
 * data files a run wrote and never committed (a crash in between) are removed by its relaunch.
 *
 * <p>A retraction is a new snapshot of each table, never a rollback (which would also undo other
 * networks' later commits): the night's users partition and events go, the guest lists are as
 * PostgreSQL's retraction decides, the summary says why and who; the night's tag moves to
 * {@code retracted-NETWORK@YYYY-MM-DD}.
 */
public final class Lake implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Lake.class);

    static final String RUN_ID = "wickr-census.run-id";
    static final String NETWORK_ID = "wickr-census.network-id";
    static final String SNAPSHOT_DATE = "wickr-census.snapshot-date";
    static final String OPERATION = "wickr-census.operation";
    static final String PUBLISH = "publish";
    static final String RETRACT = "retract";
    static final String COMPACT = "compact";

    private final Catalog catalog;
    private final IcebergSettings settings;
    private final DataSource dataSource;
    private final CompressionCodecName codec;
    private final long rowGroupBytes;
    private final long targetFileBytes;
    /** The Parquet datasets, whose files of the night the tables take as theirs (null: none to take). */
    private final ParquetExporter datasets;

    private Lake(Catalog catalog, IcebergSettings settings, DataSource dataSource, CompressionCodecName codec, long rowGroupBytes,
                 long targetFileBytes, ParquetExporter datasets) {
        this.catalog = catalog;
        this.datasets = datasets;
        this.settings = settings;
        this.dataSource = dataSource;
        this.codec = codec;
        this.rowGroupBytes = rowGroupBytes;
        this.targetFileBytes = targetFileBytes;
    }

    /**
     * Opens the catalog the settings name: the JDBC catalog in the job's database at {@code jdbcUrl}
     * (its tables in schema {@code iceberg_catalog}, made by the migrations), or a REST catalog.
     */
    public static Lake open(IcebergSettings settings, DataSource dataSource, String jdbcUrl, String user, String password,
                            CompressionCodecName codec, long rowGroupBytes, long targetFileBytes) {
        return open(settings, dataSource, jdbcUrl, user, password, codec, rowGroupBytes, targetFileBytes, null);
    }

    private static Lake open(IcebergSettings settings, DataSource dataSource, String jdbcUrl, String user, String password,
                             CompressionCodecName codec, long rowGroupBytes, long targetFileBytes, ParquetExporter datasets) {
        Map<String, String> props = new HashMap<>();
        Catalog catalog;
        if (settings.catalog().equals(IcebergSettings.JDBC)) {
            props.put(CatalogProperties.URI, withSchema(jdbcUrl));
            props.put("jdbc.user", user == null ? "" : user);
            props.put("jdbc.password", password == null ? "" : password);
            props.put("jdbc.init-catalog-tables", "false");
            props.put("jdbc.schema-version", "V1");
            props.putAll(fileIo(settings.warehouse()));
            props.putAll(settings.properties());
            org.apache.iceberg.jdbc.JdbcCatalog jdbc = new org.apache.iceberg.jdbc.JdbcCatalog();
            jdbc.initialize(IcebergSettings.CATALOG_NAME, props);
            catalog = jdbc;
        } else {
            props.put(CatalogProperties.URI, settings.catalogUri());
            props.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
            props.put("http-client.type", "apache");
            props.putAll(settings.properties());
            org.apache.iceberg.rest.RESTCatalog rest = new org.apache.iceberg.rest.RESTCatalog();
            rest.initialize(IcebergSettings.CATALOG_NAME, props);
            catalog = rest;
        }
        return new Lake(catalog, settings, dataSource, codec, rowGroupBytes, targetFileBytes,
                settings.catalog().equals(IcebergSettings.JDBC) ? datasets : null); // a REST catalog's tables may live anywhere
    }

    /**
     * The lake of the settings, in the job's database, its files written as the datasets' are
     * (codec, sizes): where a dataset's partition holds the same rows as a table's night, its
     * files are taken as the table's (see {@link #adoptedOr}).
     */
    public static Lake open(IcebergSettings settings, io.wickrcensus.parquet.ParquetSettings files, io.wickrcensus.db.DatabaseLocation db) {
        return open(settings, db.dataSource(), db.url(), db.user(), db.password(), files.compression(), files.rowGroupBytes(),
                files.maxFileBytes(), files.enabled() ? new ParquetExporter(db.dataSource(), files) : null);
    }

    /** The JDBC URL with {@code currentSchema=iceberg_catalog}: the catalog's unqualified table names resolve there. */
    static String withSchema(String url) {
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=iceberg_catalog";
    }

    /** The warehouse location and the FileIO that reaches it: {@code iceberg/} under the datasets' root. */
    static Map<String, String> fileIo(FileRoot root) {
        Map<String, String> p = new HashMap<>();
        if (root instanceof FileRoot.Directory d) {
            p.put(CatalogProperties.WAREHOUSE_LOCATION, LocalFileIO.location(d.path().resolve(IcebergSettings.WAREHOUSE_DIR)));
            p.put(CatalogProperties.FILE_IO_IMPL, LocalFileIO.class.getName());
        } else {
            S3Target t = ((FileRoot.Bucket) root).target();
            p.put(CatalogProperties.WAREHOUSE_LOCATION, t + "/" + IcebergSettings.WAREHOUSE_DIR);
            p.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
            p.putAll(TargetS3Clients.properties(t));
        }
        return p;
    }

    /** The table, made (with the namespace) if it does not exist yet; another process may make it at the same time. */
    Table table(LakeTable def) {
        TableIdentifier id = TableIdentifier.of(IcebergSettings.NAMESPACE, def.name());
        if (!catalog.tableExists(id)) {
            Namespace ns = Namespace.of(IcebergSettings.NAMESPACE);
            if (catalog instanceof SupportsNamespaces n && !n.namespaceExists(ns)) {
                try {
                    n.createNamespace(ns);
                } catch (AlreadyExistsException | org.apache.iceberg.jdbc.UncheckedSQLException raced) {
                    // another run made it meanwhile (the JDBC catalog says so as a key violation)
                    if (!n.namespaceExists(ns)) {
                        throw raced;
                    }
                }
            }
            org.apache.iceberg.Schema schema = def.schema();
            try {
                return catalog.buildTable(id, schema).withPartitionSpec(def.partitionSpec(schema)).withSortOrder(def.sortOrder(schema))
                        .withProperties(LakeTable.properties(codec, targetFileBytes)).create();
            } catch (AlreadyExistsException raced) {
                // made meanwhile
            }
        }
        return evolved(catalog.loadTable(id), def);
    }

    /**
     * The table with every column of {@code def} it lacks added, through Iceberg's schema API: a
     * column the datasets gain (a new field of the Wickr API) is added at the end, with no data
     * rewritten; older files read it as null.
     */
    static Table evolved(Table t, LakeTable def) {
        org.apache.iceberg.Schema wanted = def.schema();
        List<org.apache.iceberg.types.Types.NestedField> missing = wanted.columns().stream()
                .filter(f -> t.schema().findField(f.name()) == null).toList();
        if (missing.isEmpty()) {
            return t;
        }
        var update = t.updateSchema();
        for (var f : missing) {
            update.addColumn(f.name(), f.type(), f.doc());
        }
        update.commit();
        log.info("{}: columns added: {}", t.name(), missing.stream().map(org.apache.iceberg.types.Types.NestedField::name).toList());
        t.refresh();
        return t;
    }

    /** The names of the tables, in the order a night commits them. */
    public static List<String> tableNames() {
        return LakeTable.ALL.stream().map(LakeTable::name).toList();
    }

    /** A table by its name (see {@link #tableNames}), made if it does not exist yet. */
    public Table table(String name) {
        return table(LakeTable.ALL.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no table " + name)));
    }

    /** The tag of a network's night: {@code NETWORK@YYYY-MM-DD}. */
    public static String tag(String networkId, LocalDate asOf) {
        return networkId + "@" + asOf;
    }

    // ---- a night

    /**
     * Commits the published run to every table, each once: users (the night's partition), guests
     * (the covered periods' lists, replaced), unames (the answers it resolved), user_events (what
     * it observed), runs (the network's ledger, replaced) last. Then expires old untagged snapshots
     * and compacts where a partition has piled up files.
     */
    public void publish(long runId, String networkId, LocalDate asOf, List<String> billingPeriods) throws SQLException, IOException {
        Expression net = Expressions.equal("network_id", networkId);
        Map<String, Double> seconds = new java.util.concurrent.ConcurrentSkipListMap<>();
        int committed;
        synchronized (COMMIT_LOCKS.computeIfAbsent(IcebergSettings.CATALOG_NAME, k -> new Object())) {
            LakeTable.ALL.forEach(this::table); // the namespace and the tables, made once, before the tables are committed side by side
        }
        // one snapshot of the database for every table: the first tables side by side, each on a connection of its own
        try (Connection c = ParquetExporter.snapshot(dataSource, null)) {
            String snapshot;
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT pg_export_snapshot()")) {
                rs.next();
                snapshot = rs.getString(1);
            }
            Map<LakeTable, Operation> first = new java.util.LinkedHashMap<>();
            first.put(LakeTable.USERS, (t, txn, w) -> {
                var append = txn.newAppend();
                adoptedOr(t, w, networkId, ParquetExporter.usersPartition(networkId, asOf), runId, () -> LakeTable.write(t, LakeTable.USERS,
                        connection(w), w, codec, rowGroupBytes,
                        LakeTable.USERS.select() + " FROM census.roster_by_run WHERE run_id = ? ORDER BY user_id", runId))
                        .forEach(append::appendFile);
                return append;
            });
            first.put(LakeTable.GUESTS, (t, txn, w) -> {
                var overwrite = txn.newOverwrite().overwriteByRowFilter(Expressions.and(net,
                        Expressions.in("billing_period", billingPeriods.toArray())));
                for (String period : billingPeriods) {
                    adoptedOr(t, w, networkId, ParquetExporter.guestsPartition(networkId, period), runId,
                            () -> guests(t, connection(w), w, runId, period)).forEach(overwrite::addFile);
                }
                return overwrite;
            });
            first.put(LakeTable.UNAMES, (t, txn, w) -> {
                var append = txn.newAppend();
                // the night's answers: the dataset's file of the night when it added them to the partition, or its files when
                // the night wrote the partition whole and the directory is all its answers (a first night)
                Rows answers = () -> LakeTable.write(t, LakeTable.UNAMES, connection(w), w, codec, rowGroupBytes, LakeTable.UNAMES.select()
                        + " FROM census.uname_directory WHERE network_id = ? AND last_run_id = ? ORDER BY uname", networkId, runId);
                adoptedOr(t, w, networkId, ParquetExporter.unamesPartition(networkId), runId,
                        copies -> copies.added() || onlyAnswersOf(connection(w), networkId, runId), answers).forEach(append::appendFile);
                return append;
            });
            first.put(LakeTable.USER_EVENTS, (t, txn, w) -> {
                var append = txn.newAppend();
                Connection ec = connection(w);
                (firstSnapshot(ec, networkId, runId)
                        // every user joined: the view's answer, without comparing a million users with nobody
                        // (in the order the versions were written, unsorted: sorting a million rows cost more than the file gains)
                        ? LakeTable.write(t, LakeTable.USER_EVENTS, w, codec, rowGroupBytes, false, sink -> QueryRows.forEach(ec,
                                LakeTable.USER_EVENTS.columns(), "SELECT p.network_id, p.snapshot_date, p.run_id, v.user_id, v.username, "
                                + "'joined', NULL::text, census.user_status_name(v.status) FROM census.published_runs p "
                                + "JOIN census.user_version v ON v.network_id = p.network_id AND v.valid_from = p.publish_seq "
                                + "WHERE p.run_id = ?", new Object[] {runId}, sink))
                        : LakeTable.write(t, LakeTable.USER_EVENTS, ec, w, codec, rowGroupBytes, LakeTable.USER_EVENTS.select()
                                + " FROM census.user_events_by_run WHERE run_id = ? ORDER BY snapshot_date, user_id, kind", runId))
                        .forEach(append::appendFile);
                return append;
            });
            committed = sideBySide(first, snapshot, runId, networkId, asOf, seconds);
            CrashPoints.reach("iceberg.before-runs");
            long start = System.nanoTime();
            CONNECTION.set(c);
            try {
                committed += commitOnce(LakeTable.RUNS, runId, networkId, asOf, PUBLISH, Map.of(), (t, txn, w) -> runs(t, txn, c, w, networkId));
            } finally {
                CONNECTION.remove();
            }
            seconds.put(LakeTable.RUNS.name(), (System.nanoTime() - start) / 1e9);
            c.commit();
        }
        log.info("network {}: Iceberg tables committed ({} of {} tables this time; tag {}; seconds {})", networkId, committed,
                LakeTable.ALL.size(), tag(networkId, asOf), seconds.entrySet().stream()
                        .map(e -> e.getKey() + "=" + String.format(java.util.Locale.ROOT, "%.1f", e.getValue())).toList());
        maintain(networkId, asOf);
    }

    /** Writes a table's files of a night. */
    @FunctionalInterface
    private interface Rows {
        List<DataFile> write() throws SQLException, IOException;
    }

    /**
     * The night's files of the table: the dataset partition's files when run {@code runId} wrote
     * them (hard links or copies on the server, named for {@code writer}: the rows are written
     * once, and each side's files live on without the other's), else {@code otherwise}'s.
     */
    private List<DataFile> adoptedOr(Table t, String writer, String networkId, String partition, long runId, Rows otherwise)
            throws SQLException, IOException {
        return adoptedOr(t, writer, networkId, partition, runId, copies -> true, otherwise);
    }

    /** Whether the files a run wrote into a dataset partition are exactly a table's rows of the night. */
    @FunctionalInterface
    private interface SameRows {
        boolean test(ParquetExporter.Copies copies) throws SQLException;
    }

    /** {@link #adoptedOr}, taking the copies only when {@code same} says they hold the table's rows of the night. */
    private List<DataFile> adoptedOr(Table t, String writer, String networkId, String partition, long runId, SameRows same, Rows otherwise)
            throws SQLException, IOException {
        if (datasets != null) {
            String path = partition.substring(partition.indexOf('/') + 1); // network_id=N/...: the table's partition path too
            var data = org.apache.iceberg.DataFiles.data(t.spec(), path);
            ParquetExporter.Copies copies;
            try {
                copies = datasets.copyCommitted(networkId, partition, runId, name -> t.locationProvider().newDataLocation(t.spec(), data,
                        writer + name));
            } catch (IOException e) {
                // a copy refused or failed midway: what it copied goes, and the rows are written from the database instead
                log.warn("{}: the files of {} could not be taken as the table's ({}); written from the database instead", t.name(),
                        partition, e.getMessage());
                removeCopies(t, t.locationProvider().newDataLocation(t.spec(), data, writer + "part-"));
                return otherwise.write();
            }
            if (copies != null && !same.test(copies)) {
                copies.files().forEach(x -> t.io().deleteFile(x.location()));
                return otherwise.write();
            }
            if (copies != null) {
                List<DataFile> files = new ArrayList<>();
                for (ParquetExporter.Copied c : copies.files()) {
                    DataFile f = LakeTable.copied(t, c.location(), c.bytes(), path);
                    if (f == null) {
                        copies.files().forEach(x -> t.io().deleteFile(x.location()));
                        log.info("{}: the files of {} are not the table's columns; written from the database instead", t.name(), partition);
                        return otherwise.write();
                    }
                    files.add(f);
                }
                return files;
            }
        }
        return otherwise.write();
    }

    /** Deletes the files of the table whose locations start with {@code prefix} (the copies one partition's adoption made). */
    private static void removeCopies(Table t, String prefix) {
        if (t.io() instanceof SupportsPrefixOperations io) {
            String dir = prefix.substring(0, prefix.lastIndexOf('/') + 1);
            for (FileInfo f : io.listPrefix(dir)) {
                if (f.location().startsWith(prefix)) {
                    io.deleteFile(f.location());
                }
            }
        }
    }

    /** Whether every entry of the network's uname directory was resolved by the run: its answers are the whole directory. */
    private static boolean onlyAnswersOf(Connection c, String networkId, long runId) throws SQLException {
        return holds(c, "SELECT NOT EXISTS (SELECT 1 FROM census.uname_directory WHERE network_id = ? AND last_run_id IS DISTINCT FROM ?)",
                networkId, runId);
    }

    /** Whether the run's snapshot closed no user version: nothing before it to compare with, so every user joined. */
    private static boolean firstSnapshot(Connection c, String networkId, long runId) throws SQLException {
        return holds(c, "SELECT NOT EXISTS (SELECT 1 FROM census.user_version v JOIN census.published_runs p "
                + "ON p.run_id = ? AND v.network_id = p.network_id AND v.valid_to = p.publish_seq WHERE v.network_id = ?)", runId, networkId);
    }

    /** The answer of a query of one boolean. */
    private static boolean holds(Connection c, String sql, Object... args) throws SQLException {
        try (var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** The connection a commit's reads go through on this thread (one per table committed side by side). */
    private static final ThreadLocal<Connection> CONNECTION = new ThreadLocal<>();

    private static Connection connection(String writer) {
        Connection c = CONNECTION.get();
        if (c == null) {
            throw new IllegalStateException("no snapshot connection for " + writer);
        }
        return c;
    }

    /**
     * Commits {@code tables} on threads of their own, each reading PostgreSQL in the exported
     * {@code snapshot}; returns how many commits were made. The first failure is thrown once all
     * have ended.
     */
    private int sideBySide(Map<LakeTable, Operation> tables, String snapshot, long runId, String networkId, LocalDate asOf,
                           Map<String, Double> seconds) throws SQLException, IOException {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(tables.size(), r -> {
            Thread t = new Thread(r, "iceberg-" + networkId + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
            for (var e : tables.entrySet()) {
                results.add(pool.submit(() -> {
                    long start = System.nanoTime();
                    try (Connection c = ParquetExporter.snapshot(dataSource, snapshot)) {
                        CONNECTION.set(c);
                        int done = commitOnce(e.getKey(), runId, networkId, asOf, PUBLISH, Map.of(), e.getValue());
                        c.commit();
                        return done;
                    } finally {
                        CONNECTION.remove();
                        seconds.put(e.getKey().name(), (System.nanoTime() - start) / 1e9);
                    }
                }));
            }
            int committed = 0;
            Throwable failure = null;
            for (var f : results) {
                try {
                    committed += f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while the Iceberg tables were committed");
                }
            }
            if (failure != null) {
                throw io.wickrcensus.support.Outcomes.rethrow(failure);
            }
            return committed;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The guest list of {@code period} as of published run {@code source}, as files of the run {@code writer}. */
    private List<DataFile> guests(Table t, Connection c, String writer, long source, String period) throws SQLException, IOException {
        return LakeTable.write(t, LakeTable.GUESTS, c, writer, codec, rowGroupBytes, LakeTable.GUESTS.select()
                + " FROM census.guests_by_run WHERE run_id = ? AND billing_period = ? ORDER BY username_hash", source, period);
    }

    private SnapshotUpdate<?> runs(Table t, Transaction txn, Connection c, String writer, String networkId) throws SQLException, IOException {
        var overwrite = txn.newOverwrite().overwriteByRowFilter(Expressions.equal("network_id", networkId));
        // the datasets' query of the ledger, with the network first
        LakeTable.write(t, LakeTable.RUNS, c, writer, codec, rowGroupBytes,
                "SELECT network_id, " + ParquetExporter.RUNS_QUERY.substring("SELECT ".length()), networkId).forEach(overwrite::addFile);
        return overwrite;
    }

    /**
     * Retracts a night already retracted in PostgreSQL: each table gets a new snapshot. Users: the
     * night's partition deleted. Events: the month's rewritten from what PostgreSQL still holds.
     * Guests: the covered periods as the latest remaining snapshot has them (or none). Runs: the
     * ledger, saying RETRACTED. The night's tag becomes {@code retracted-NETWORK@DATE}.
     */
    public void retract(long runId, String networkId, LocalDate asOf, List<String> billingPeriods, String reason, String by)
            throws SQLException, IOException {
        Map<String, String> why = new HashMap<>();
        why.put("wickr-census.reason", reason == null ? "" : reason);
        why.put("wickr-census.retracted-by", by == null ? "" : by);
        try (Connection c = ParquetExporter.snapshot(dataSource, null)) {
            Expression net = Expressions.equal("network_id", networkId);
            commitOnce(LakeTable.USERS, runId, networkId, asOf, RETRACT, why, (t, txn, w) ->
                    txn.newDelete().deleteFromRowFilter(Expressions.and(net, Expressions.equal("snapshot_date", asOf.toString()))));
            commitOnce(LakeTable.USER_EVENTS, runId, networkId, asOf, RETRACT, why, (t, txn, w) -> eventsOfMonth(t, txn, c, w, networkId,
                    YearMonth.from(asOf)));
            commitOnce(LakeTable.GUESTS, runId, networkId, asOf, RETRACT, why, (t, txn, w) -> {
                var overwrite = txn.newOverwrite().overwriteByRowFilter(Expressions.and(net,
                        Expressions.in("billing_period", billingPeriods.toArray())));
                for (String period : billingPeriods) {
                    Long latest = ParquetExporter.latestCovering(c, networkId, period);
                    if (latest != null) {
                        guests(t, c, w, latest, period).forEach(overwrite::addFile);
                    }
                }
                return overwrite;
            });
            commitOnce(LakeTable.UNAMES, runId, networkId, asOf, RETRACT, why, (t, txn, w) -> txn.newAppend()); // answers stay true
            commitOnce(LakeTable.RUNS, runId, networkId, asOf, RETRACT, why, (t, txn, w) -> runs(t, txn, c, w, networkId));
            c.commit();
        }
        log.info("network {}: the snapshot of {} retracted from the Iceberg tables (its tag is now retracted-{})", networkId, asOf,
                tag(networkId, asOf));
    }

    /** The month's events of the network, rewritten from PostgreSQL (a compaction, or a retraction's removal). */
    private SnapshotUpdate<?> eventsOfMonth(Table t, Transaction txn, Connection c, String writer, String networkId, YearMonth month)
            throws SQLException, IOException {
        var overwrite = txn.newOverwrite().overwriteByRowFilter(Expressions.and(Expressions.equal("network_id", networkId),
                Expressions.greaterThanOrEqual("snapshot_date", month.atDay(1).toString()),
                Expressions.lessThan("snapshot_date", month.plusMonths(1).atDay(1).toString())));
        LakeTable.write(t, LakeTable.USER_EVENTS, c, writer, codec, rowGroupBytes, LakeTable.USER_EVENTS.select()
                        + " FROM census.user_events_by_run WHERE network_id = ? AND snapshot_date >= ? AND snapshot_date < ? "
                        + "ORDER BY snapshot_date, user_id, kind", networkId, month.atDay(1), month.plusMonths(1).atDay(1))
                .forEach(overwrite::addFile);
        return overwrite;
    }

    /** A compaction's commit (see {@link LakeCompaction}): once, under its own mark. */
    void commitCompaction(LakeTable def, long mark, String networkId, LocalDate asOf, Operation build) throws SQLException, IOException {
        commitOnce(def, mark, networkId, asOf, COMPACT, Map.of(), build);
    }

    /** Builds one table's operation of a commit, in the commit's transaction. */
    @FunctionalInterface
    interface Operation {
        /** The commit's operation on {@code table}, in {@code txn}; files written are named for {@code writer}. */
        SnapshotUpdate<?> build(Table table, Transaction txn, String writer) throws SQLException, IOException;
    }

    /**
     * Commits {@code operation} to the table unless a snapshot says it is done already (its summary
     * names this run and operation); removes first what an earlier attempt of the run wrote and never
     * committed. Returns 1 when it committed, 0 when it was done.
     */
    private int commitOnce(LakeTable def, long runId, String networkId, LocalDate asOf, String operation, Map<String, String> extra,
                           Operation build) throws SQLException, IOException {
        // one commit at a time per table in this process (networks run side by side); other processes
        // (an Indexed Job's pods) may still commit meanwhile: a conflict is retried on the new state
        synchronized (COMMIT_LOCKS.computeIfAbsent(IcebergSettings.CATALOG_NAME + "." + def.name(), k -> new Object())) {
            for (int attempt = 1; ; attempt++) {
                try {
                    return commitAttempt(def, runId, networkId, asOf, operation, extra, build);
                } catch (org.apache.iceberg.exceptions.CommitFailedException | org.apache.iceberg.exceptions.ValidationException conflict) {
                    if (attempt >= MAX_COMMIT_ATTEMPTS) {
                        throw new IOException("committing " + def.name() + " for run " + runId + " kept conflicting with other commits ("
                                + attempt + " attempts): " + conflict.getMessage(), conflict);
                    }
                    log.info("{}: another commit came first ({}); committing again on the table's new state", def.name(),
                            conflict.getMessage());
                    try {
                        Thread.sleep(50L * attempt + (long) (Math.random() * 100));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("interrupted while committing " + def.name());
                    }
                }
            }
        }
    }

    private static final Map<String, Object> COMMIT_LOCKS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_COMMIT_ATTEMPTS = 10;

    /** One attempt of {@link #commitOnce}: its files written afresh (an earlier attempt's removed first). */
    private int commitAttempt(LakeTable def, long runId, String networkId, LocalDate asOf, String operation, Map<String, String> extra,
                              Operation build) throws SQLException, IOException {
        Table t = table(def);
        if (done(t, runId, operation)) {
            return 0;
        }
        String writer = LakeTable.writer(runId, operation);
        removeUncommitted(t, writer);
        Transaction txn = t.newTransaction();
        SnapshotUpdate<?> update = build.build(t, txn, writer);
        update.set(RUN_ID, Long.toString(runId));
        update.set(NETWORK_ID, networkId);
        update.set(SNAPSHOT_DATE, asOf.toString());
        update.set(OPERATION, operation);
        extra.forEach(update::set);
        update.commit();
        String tag = tag(networkId, asOf);
        var refs = txn.manageSnapshots();
        long id = txn.table().currentSnapshot().snapshotId();
        if (operation.equals(PUBLISH)) {
            if (txn.table().refs().containsKey(tag)) {
                refs.replaceTag(tag, id);
            } else {
                refs.createTag(tag, id);
            }
        } else if (operation.equals(RETRACT) && txn.table().refs().containsKey(tag)) {
            long night = txn.table().refs().get(tag).snapshotId();
            refs.removeTag(tag);
            if (!txn.table().refs().containsKey("retracted-" + tag)) {
                refs.createTag("retracted-" + tag, night);
            }
        }
        refs.commit();
        CrashPoints.reach("iceberg.before-commit");
        try {
            txn.commitTransaction();
        } catch (CommitStateUnknownException | org.apache.iceberg.jdbc.UncheckedSQLException e) {
            // the catalog's database failed mid-commit: the commit may or may not have landed
            t.refresh();
            if (!done(t, runId, operation)) {
                throw new IOException("committing " + def.name() + " for run " + runId + " failed, and it did not land: " + e.getMessage(), e);
            }
            log.info("{}: the commit's outcome was unknown; the table's snapshots show it landed", def.name());
        }
        CrashPoints.reach("iceberg.after-commit");
        return 1;
    }

    /** Whether a snapshot of the table records this run's {@code operation}. */
    static boolean done(Table t, long runId, String operation) {
        String run = Long.toString(runId);
        for (Snapshot s : t.snapshots()) {
            if (run.equals(s.summary().get(RUN_ID)) && operation.equals(s.summary().get(OPERATION))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Deletes the files an earlier attempt of this operation of the run wrote under the table's data
     * and never committed ({@code r<run>-<operation>-...}). Only an operation not yet committed to
     * the table gets here, so none of its files is in the table.
     */
    private static void removeUncommitted(Table t, String prefix) {
        if (!(t.io() instanceof SupportsPrefixOperations io)) {
            return;
        }
        List<String> orphans = new ArrayList<>();
        for (FileInfo f : io.listPrefix(t.location() + "/data/")) {
            String name = f.location().substring(f.location().lastIndexOf('/') + 1);
            if (name.startsWith(prefix)) {
                orphans.add(f.location());
            }
        }
        if (!orphans.isEmpty()) {
            orphans.forEach(io::deleteFile);
            log.info("{}: {} data files an interrupted attempt ({}) wrote and never committed were removed", t.name(), orphans.size(),
                    prefix);
        }
    }

    // ---- upkeep

    /**
     * After a night: expires untagged snapshots older than the setting (tags are kept, and with them
     * every night's snapshot) and compacts the network's partitions of {@code unames} and
     * {@code user_events} that hold more files than the setting. A failure here is logged: the
     * night is committed either way, and the next night tries again.
     */
    private void maintain(String networkId, LocalDate asOf) {
        try {
            compact(networkId, asOf);
            long before = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(settings.expireDays());
            for (LakeTable def : LakeTable.ALL) {
                Table t = table(def);
                // a commit of its own: only when some snapshot is old enough (tagged ones are kept anyway)
                boolean old = false;
                for (Snapshot s : t.snapshots()) {
                    old |= s.timestampMillis() < before;
                }
                if (old) {
                    t.expireSnapshots().expireOlderThan(before).retainLast(1).commit();
                }
            }
        } catch (RuntimeException | SQLException | IOException e) {
            log.warn("network {}: upkeep of the Iceberg tables failed (the night is committed; the next one tries again): {}", networkId,
                    e.getMessage());
        }
    }

    /** Rewrites the network's partitions of unames and user_events that have piled up more files than the setting. */
    private void compact(String networkId, LocalDate asOf) throws SQLException, IOException {
        Table events = table(LakeTable.USER_EVENTS);
        Map<YearMonth, Integer> perMonth = new HashMap<>();
        try (CloseableIterable<FileScanTask> tasks = events.newScan().filter(Expressions.equal("network_id", networkId)).planFiles()) {
            for (FileScanTask task : tasks) {
                int months = task.file().partition().get(1, Integer.class);
                perMonth.merge(YearMonth.of(1970, 1).plusMonths(months), 1, Integer::sum);
            }
        }
        for (var e : perMonth.entrySet()) {
            if (e.getValue() > settings.compactFiles()) {
                try (Connection c = ParquetExporter.snapshot(dataSource, null)) {
                    long mark = -System.currentTimeMillis(); // a compaction is no run: a negative id of its own
                    commitOnce(LakeTable.USER_EVENTS, mark, networkId, asOf, COMPACT, Map.of(),
                            (t, txn, w) -> eventsOfMonth(t, txn, c, w, networkId, e.getKey()));
                    c.commit();
                }
                log.info("network {}: user_events of {} compacted from {} files", networkId, e.getKey(), e.getValue());
            }
        }
        LakeCompaction.unames(this, table(LakeTable.UNAMES), networkId, asOf, settings.compactFiles(), codec, rowGroupBytes);
    }

    @Override
    public void close() {
        if (catalog instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing the Iceberg catalog: {}", e.getMessage());
            }
        }
    }
}
