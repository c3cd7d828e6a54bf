package io.wickrcensus.parquet;

import static io.wickrcensus.db.ColumnType.BOOLEAN;
import static io.wickrcensus.db.ColumnType.DATE;
import static io.wickrcensus.db.ColumnType.INT32;
import static io.wickrcensus.db.ColumnType.INT64;
import static io.wickrcensus.db.ColumnType.STRING;
import static io.wickrcensus.db.ColumnType.STRING_LIST;
import static io.wickrcensus.db.ColumnType.TIMESTAMP;
import static io.wickrcensus.parquet.ParquetColumn.of;

import io.wickrcensus.db.UserColumn;
import io.wickrcensus.faults.CrashPoints;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a published run as Parquet datasets, from what PostgreSQL holds (so a relaunch can
 * always rebuild them), in Hive-style partitions:
 * <pre>
 * users/network_id=N/snapshot_date=YYYY-MM-DD/part-*.parquet   the roster as of the run
 * guest_users/network_id=N/billing_period=YYYY-MM/part-*.parquet the latest observed guest list of each period
 * unames/network_id=N/part-*.parquet                           the uname directory
 * runs/network_id=N/part-*.parquet                             the run ledger
 * </pre>
 * Partition columns live in the paths, not in the files. The schema is documented in the README.
 */
public final class ParquetExporter {

    private static final Logger log = LoggerFactory.getLogger(ParquetExporter.class);

    /** The run, then every user column ({@link UserColumn}). */
    public static final List<ParquetColumn> USERS = Stream.concat(Stream.of(of("run_id", INT64)),
            UserColumn.ALL.stream().map(c -> of(c.column(), c.type()))).toList();
    public static final List<ParquetColumn> GUESTS = List.of(
            of("snapshot_date", DATE), of("run_id", INT64), of("username", STRING), of("username_hash", STRING));
    public static final List<ParquetColumn> UNAMES = List.of(
            of("uname", STRING), of("username", STRING), of("first_resolved_at", TIMESTAMP), of("last_resolved_at", TIMESTAMP));
    public static final List<ParquetColumn> RUNS = List.of(
            of("run_id", INT64), of("snapshot_date", DATE), of("billing_periods", STRING_LIST), of("status", STRING),
            of("started_at", TIMESTAMP), of("finished_at", TIMESTAMP), of("attempts", INT32), of("users_staged", INT64),
            of("users_reported", INT64), of("unames_resolved", INT64), of("unames_failed", INT64), of("bots_staged", INT64),
            of("bots_reported", INT64), of("users_count_reading", STRING), of("reconcile_outcome", STRING));

    private static final ParquetColumn NETWORK_ID = of("network_id", STRING);
    private static final Map<String, List<ParquetColumn>> PARTITION_COLUMNS = Map.of(
            "users", List.of(NETWORK_ID, of("snapshot_date", DATE)),
            "guest_users", List.of(NETWORK_ID, of("billing_period", STRING)),
            "unames", List.of(NETWORK_ID),
            "runs", List.of(NETWORK_ID));

    /**
     * The columns a dataset's partition path holds ({@code network_id=N/snapshot_date=D}), in order:
     * not in its files, and the first columns of its Iceberg table.
     */
    public static List<ParquetColumn> partitionColumns(String dataset) {
        List<ParquetColumn> columns = PARTITION_COLUMNS.get(dataset);
        if (columns == null) {
            throw new IllegalArgumentException("no dataset " + dataset);
        }
        return columns;
    }

    /** The network's run ledger, in the {@link #RUNS} columns. */
    public static final String RUNS_QUERY = "SELECT run_id, as_of AS snapshot_date, billing_periods, status, started_at, finished_at, "
            + "attempts, users_staged, users_reported, unames_resolved, unames_failed, bots_staged, bots_reported, users_count_reading, "
            + "reconcile_outcome FROM census.run WHERE network_id = ? ORDER BY run_id";

    private final DataSource dataSource;
    private final ParquetSettings settings;

    public ParquetExporter(DataSource dataSource, ParquetSettings settings) {
        this.dataSource = dataSource;
        this.settings = settings;
    }

    /** The uname directory of a network. */
    static final String UNAMES_QUERY = "SELECT " + names(UNAMES) + " FROM census.uname_directory WHERE network_id = ? ORDER BY uname";
    /** The answers a run recorded, of a network (parameters: network, run): what a night adds to the uname partition. */
    static final String UNAME_ANSWERS_QUERY = "SELECT " + names(UNAMES) + " FROM census.uname_directory WHERE network_id = ? "
            + "AND last_run_id = ? ORDER BY uname";
    /**
     * The uname partition gains a file a night (the night's answers); past this many files it is
     * written whole again, one row per uname.
     */
    public static final int MAX_UNAME_FILES = 32;

    /**
     * The network's uname partition for {@code runId}: the current files kept and the run's answers
     * added (a refreshed uname appears again, with a later {@code last_resolved_at}), or the whole
     * directory (see {@link PartitionWriter#prepareAppended}).
     */
    static PartitionWriter.Pending prepareUnames(PartitionWriter w, Connection c, String networkId, long runId)
            throws SQLException, IOException {
        return w.prepareAppended(c, unamesPartition(networkId), "unames", UNAMES, MAX_UNAME_FILES,
                UNAME_ANSWERS_QUERY, new Object[] {networkId, runId}, UNAMES_QUERY, new Object[] {networkId});
    }

    /** The users partition of a network's night: {@code users/network_id=N/snapshot_date=D}. */
    public static String usersPartition(String networkId, LocalDate asOf) {
        return "users/network_id=" + networkId + "/snapshot_date=" + asOf;
    }

    /** The guest list partition of a network's billing period: {@code guest_users/network_id=N/billing_period=P}. */
    public static String guestsPartition(String networkId, String period) {
        return "guest_users/network_id=" + networkId + "/billing_period=" + period;
    }

    /** The uname directory's partition of a network: {@code unames/network_id=N}. */
    public static String unamesPartition(String networkId) {
        return "unames/network_id=" + networkId;
    }

    /** A file copied out of a dataset partition: where the copy is, its rows and its size. */
    public record Copied(String location, long rows, long bytes) {
    }

    /**
     * The files run {@code runId} wrote into a dataset partition's current version, copied.
     *
     * @param files the copies
     * @param added whether the version also kept files of earlier runs (see
     *              {@link PartitionWriter#prepareAppended}): the run's files then hold only the rows it added
     */
    public record Copies(List<Copied> files, boolean added) {
    }

    /**
     * Copies the files run {@code runId} wrote into {@code partition}'s current version to where
     * {@code targetOf} puts each (given its name), when that run wrote the version: a hard link for
     * a local store, a copy on the server for S3, so the rows are written once. Null, and nothing
     * copied, when the datasets are off or the partition's version is not that run's.
     */
    public Copies copyCommitted(String networkId, String partition, long runId, java.util.function.UnaryOperator<String> targetOf)
            throws IOException {
        if (!settings.enabled()) {
            return null;
        }
        try (DatasetStore store = DatasetStore.open(settings, networkId)) {
            DatasetStore.Manifest m = store.current(partition);
            if (m == null || m.runId() != runId || !"export".equals(m.writtenBy())) {
                return null;
            }
            List<Copied> copies = new java.util.ArrayList<>();
            boolean kept = false;
            for (DatasetStore.FileEntry f : m.files()) {
                String tag = PartitionWriter.writeTag(f.name());
                if (tag == null || !tag.startsWith("r" + runId + "-")) {
                    kept = true; // an earlier run's file, kept by an appended version
                    continue;
                }
                String target = targetOf.apply(f.name());
                store.copy(partition, f.name(), target);
                copies.add(new Copied(target, f.rows(), f.bytes()));
            }
            return new Copies(copies, kept);
        }
    }

    static void closeQuietly(DatasetStore store) {
        try {
            store.close();
        } catch (IOException | RuntimeException e) {
            log.debug("closing the dataset store: {}", e.getMessage());
        }
    }

    /** Writes (or rewrites) every dataset partition of the run; see {@link #export(long, String, LocalDate, List, WriteAhead.Prepared)}. */
    public void export(long runId, String networkId, LocalDate asOf, List<String> billingPeriods) throws SQLException, IOException {
        export(runId, networkId, asOf, billingPeriods, null);
    }

    /**
     * Writes (or rewrites) every dataset partition of the run, once it is published. The uname
     * directory, as large as the roster, is written on a second thread and connection while this
     * one writes the users, the guests and the runs: both read one snapshot of the database
     * (exported by the first transaction, imported by the second), as one connection would. The
     * partitions {@code prepared} for this run, if any, are made the partitions' instead of being
     * written again; the store they were written to is used, and closed.
     */
    public void export(long runId, String networkId, LocalDate asOf, List<String> billingPeriods, WriteAhead.Prepared prepared)
            throws SQLException, IOException {
        String net = "network_id=" + networkId;
        boolean usePrepared = prepared != null && prepared.runId == runId && prepared.users != null;
        if (prepared != null && !usePrepared) {
            prepared.close();
        }
        try (DatasetStore store = usePrepared ? prepared.store : DatasetStore.open(settings, networkId); Connection c = snapshot(dataSource, null)) {
            if (!usePrepared) {
                store.recover(networkDirs(networkId)); // a prepared partition's store was recovered before it was written
            }
            String snapshotId;
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT pg_export_snapshot()")) {
                rs.next();
                snapshotId = rs.getString(1);
            }
            long users;
            long guests = 0;
            long unames;
            try (Connection c2 = snapshot(dataSource, snapshotId)) {
                ExecutorService second = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "parquet-unames-" + networkId);
                    t.setDaemon(true);
                    return t;
                });
                PartitionWriter.Pending preparedUnames = usePrepared ? prepared.unames : null;
                Future<Long> unameRows = second.submit(() -> preparedUnames != null ? preparedUnames.commit()
                        : prepareUnames(new PartitionWriter(settings, store, runId, "export"), c2, networkId, runId).commit());
                try {
                    PartitionWriter w = new PartitionWriter(settings, store, runId, "export");
                    users = usePrepared ? prepared.users.commit() : w.write(c, usersPartition(networkId, asOf), "users", USERS,
                            "SELECT " + names(USERS) + " FROM census.roster_by_run WHERE run_id = ? ORDER BY user_id", runId);
                    for (String period : billingPeriods) {
                        guests += writeGuests(w, c, networkId, period, runId);
                    }
                    writeRuns(w, c, net, networkId);
                    unames = awaitUnames(unameRows);
                } finally {
                    // ended by now, unless this thread failed: then interrupted, and ended before its connection closes
                    second.shutdownNow();
                    awaitQuietly(second);
                }
                c2.commit();
            }
            c.commit();
            String usersAhead = prepared != null && prepared.usersAsListed ? "users written as they were staged" : "users written before the publish";
            String ahead = !usePrepared ? "" : prepared.unames == null ? "; " + usersAhead
                    : "; " + usersAhead + ", unames before the publish";
            log.info("network {}: Parquet datasets written to {} ({} users, {} guests, {} unames{})", networkId, settings.location(),
                    users, guests, unames, ahead);
        }
    }

    /** The uname dataset's row count, or the failure of its write as this thread's. */
    private static long awaitUnames(Future<Long> rows) throws SQLException, IOException {
        try {
            return rows.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            rows.cancel(true);
            throw new IOException("interrupted while the uname dataset was written", e);
        } catch (ExecutionException e) {
            throw io.wickrcensus.support.Outcomes.rethrow(e);
        }
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * After a retraction of the run of {@code asOf} (already committed in PostgreSQL): removes its
     * users partition, rewrites the guest partition of each of its billing periods from the latest
     * published run that still covers the period (or removes it when none does), and rewrites the
     * network's runs dataset. Each partition changes atomically for readers; running it again
     * gives the same result, so a relaunch after a crash completes it.
     */
    public void retract(long runId, String networkId, LocalDate asOf, List<String> billingPeriods) throws SQLException, IOException {
        String net = "network_id=" + networkId;
        try (DatasetStore store = DatasetStore.open(settings, networkId); Connection c = snapshot(dataSource, null)) {
            store.recover(networkDirs(networkId));
            PartitionWriter w = new PartitionWriter(settings, store, runId, "retract");
            w.remove(usersPartition(networkId, asOf));
            for (String period : billingPeriods) {
                Long latest = latestCovering(c, networkId, period);
                if (latest == null) {
                    w.remove(guestsPartition(networkId, period));
                } else {
                    writeGuests(w, c, networkId, period, latest);
                }
                CrashPoints.reach("retract.parquet");
            }
            writeRuns(w, c, net, networkId);
            c.commit();
        }
        log.info("network {}: Parquet partitions of the snapshot of {} removed; guest and run datasets rewritten", networkId, asOf);
    }

    /**
     * A read-only transaction in one snapshot of the data for all datasets (streamed with cursors):
     * a new one, or the one another transaction exported ({@code pg_export_snapshot}).
     */
    public static Connection snapshot(DataSource dataSource, String exported) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(false);
            try (var st = c.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                if (exported != null) {
                    st.execute("SET TRANSACTION SNAPSHOT '" + exported.replace("'", "''") + "'");
                }
            }
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    /** Each dataset's directory of the network: what a relaunch's recovery looks through. */
    static List<String> networkDirs(String networkId) {
        return Stream.of("users", "guest_users", "unames", "runs").map(d -> d + "/network_id=" + networkId).toList();
    }

    private static long writeGuests(PartitionWriter w, Connection c, String networkId, String period, long runId)
            throws SQLException, IOException {
        return w.write(c, guestsPartition(networkId, period), "guest_users", GUESTS, "SELECT " + names(GUESTS)
                + " FROM census.guests_by_run WHERE run_id = ? AND billing_period = ? ORDER BY username_hash", runId, period);
    }

    /** The latest published run of the network that covered {@code period}, or null. */
    public static Long latestCovering(Connection c, String networkId, String period) throws SQLException {
        try (var ps = c.prepareStatement("SELECT p.run_id FROM census.published_runs p JOIN census.run_period rp USING (run_id) "
                + "WHERE p.network_id = ? AND rp.billing_period = ? ORDER BY p.publish_seq DESC LIMIT 1")) {
            ps.setString(1, networkId);
            ps.setString(2, period);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private static long writeRuns(PartitionWriter w, Connection c, String net, String networkId) throws SQLException, IOException {
        return w.write(c, "runs/" + net, "runs", RUNS, RUNS_QUERY, networkId);
    }

    static String names(List<ParquetColumn> columns) {
        return columns.stream().map(ParquetColumn::name).collect(Collectors.joining(", "));
    }
}
