package io.wickrcensus.parquet;

import static io.wickrcensus.parquet.ParquetExporter.UNAMES;
import static io.wickrcensus.parquet.ParquetExporter.USERS;
import static io.wickrcensus.parquet.ParquetExporter.closeQuietly;
import static io.wickrcensus.parquet.ParquetExporter.names;
import static io.wickrcensus.parquet.ParquetExporter.networkDirs;
import static io.wickrcensus.parquet.ParquetExporter.usersPartition;

import io.wickrcensus.api.model.ListedUser;
import io.wickrcensus.db.StagedUsers;
import io.wickrcensus.db.UserColumn;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partitions of a run written before the run is published, for {@link ParquetExporter#export} to
 * make the partitions' once it is: the users partition as the users are staged ({@link #usersAsListed})
 * or from the staged snapshot ({@link #prepareUsers}, while the uname lookups, the reconciliation
 * and the publish run), and the uname directory once the lookups are done ({@link #prepareUnames},
 * while reconciliation and publish run). The two largest datasets are then written beside the
 * steps before, instead of after them. They live in the store's staging only; if the process dies,
 * the relaunch's export writes them from what PostgreSQL holds, as always.
 */
public final class WriteAhead {

    private static final Logger log = LoggerFactory.getLogger(WriteAhead.class);

    /**
     * The users rows of the run's staged snapshot, as the publish will record them: the last row
     * staged for each user (publish makes exactly these the roster of the run).
     */
    private static final String STAGED_USERS = StagedUsers.lastRows(names(USERS), "", false);

    private final DataSource dataSource;
    private final ParquetSettings settings;

    public WriteAhead(DataSource dataSource, ParquetSettings settings) {
        this.dataSource = dataSource;
        this.settings = settings;
    }

    /** The partitions of one run written ahead, in the store they were written to, until exported or given up. */
    public static final class Prepared implements AutoCloseable {
        final long runId;
        final DatasetStore store;
        volatile PartitionWriter.Pending users;
        volatile PartitionWriter.Pending unames;
        /** The users partition was written as the users were staged ({@link UsersAsListed}). */
        volatile boolean usersAsListed;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Prepared(long runId, DatasetStore store) {
            this.runId = runId;
            this.store = store;
        }

        /** The rows of the users partition written ahead. */
        public long usersRows() {
            return users.rows();
        }

        /** Gives the partitions up (the run was not published, or exported another way); once, however often called. */
        @Override
        public void close() {
            if (closed.getAndSet(true)) {
                return;
            }
            for (PartitionWriter.Pending p : new PartitionWriter.Pending[] {users, unames}) {
                if (p != null) {
                    p.abandon();
                }
            }
            closeQuietly(store);
        }
    }

    /**
     * A read-only transaction whose snapshot is taken when this returns, for {@link #prepareUsers} to
     * read the staged rows from later, on another thread: by then publish may have cleared
     * staging, and a snapshot taken then would see no rows.
     */
    public static final class StagedSnapshot implements AutoCloseable {
        private final Connection connection;

        private StagedSnapshot(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void close() {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing the staged snapshot: {}", e.getMessage());
            }
        }
    }

    /** Takes the snapshot of what is staged now (staging complete, not published yet); see {@link StagedSnapshot}. */
    public StagedSnapshot pinStaged() throws SQLException {
        Connection c = ParquetExporter.snapshot(dataSource, null);
        try (var st = c.createStatement()) {
            st.execute("SELECT 1"); // a repeatable-read transaction takes its snapshot at its first query
            return new StagedSnapshot(c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Opens the network's store for the partitions of run {@code runId} written ahead of its publish
     * ({@link #prepareUsers}, {@link #prepareUnames}, from two threads if need be); what an
     * interrupted write of the network left is recovered first, as {@link ParquetExporter#export} would.
     */
    public Prepared open(long runId, String networkId) throws IOException {
        DatasetStore store = DatasetStore.open(settings, networkId);
        try {
            store.recover(networkDirs(networkId));
        } catch (IOException | RuntimeException e) {
            closeQuietly(store);
            throw e;
        }
        return new Prepared(runId, store);
    }

    /**
     * Writes the run's users partition from its staged snapshot, read in {@code staged} (closed
     * here), into {@code prepared}, for {@link ParquetExporter#export} to make the partition's after the publish.
     */
    public void prepareUsers(Prepared prepared, StagedSnapshot staged, String networkId, LocalDate asOf) throws SQLException, IOException {
        try (staged) {
            Connection c = staged.connection;
            prepared.users = new PartitionWriter(settings, prepared.store, prepared.runId, "export")
                    .prepare(c, usersPartition(networkId, asOf), "users", USERS, STAGED_USERS, prepared.runId);
            c.commit();
        }
    }

    /**
     * The users partition of a run written while its users are staged, as the pages arrive, in the
     * order the service listed them, into a store opened by {@link #open}: {@link #finish}
     * leaves it in that {@link Prepared} for {@link ParquetExporter#export}, {@link #abandon} gives it up. It is the
     * caller's to write the users the publish will record, each once.
     */
    public static final class UsersAsListed {
        private final Prepared prepared;
        private final PartitionWriter.Rows rows;

        private UsersAsListed(Prepared prepared, PartitionWriter.Rows rows) {
            this.prepared = prepared;
            this.rows = rows;
        }

        public void add(ListedUser user) throws IOException {
            Object[] row = new Object[USERS.size()];
            row[0] = prepared.runId;
            for (int i = 0; i < UserColumn.ALL.size(); i++) {
                row[i + 1] = UserColumn.ALL.get(i).valueOf(user);
            }
            rows.write(row);
        }

        public void finish() throws IOException {
            prepared.users = rows.finish();
            prepared.usersAsListed = true;
        }

        public void abandon() {
            rows.abandon();
        }
    }

    /** Begins the run's users partition in {@code prepared}, to be written a user at a time; see {@link UsersAsListed}. */
    public UsersAsListed usersAsListed(Prepared prepared, String networkId, LocalDate asOf) throws IOException {
        return new UsersAsListed(prepared, new PartitionWriter(settings, prepared.store, prepared.runId, "export")
                .open(usersPartition(networkId, asOf), "users", USERS));
    }

    /** Writes the network's uname partition into {@code prepared}, once the run's lookups are done (the directory is final). */
    public void prepareUnames(Prepared prepared, String networkId) throws SQLException, IOException {
        try (Connection c = ParquetExporter.snapshot(dataSource, null)) {
            prepared.unames = ParquetExporter.prepareUnames(new PartitionWriter(settings, prepared.store, prepared.runId, "export"), c,
                    networkId, prepared.runId);
            c.commit();
        }
    }
}
