package io.wickrcensus.parquet;

import io.wickrcensus.faults.CrashPoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * Writes partitions of a dataset from queries, each as one new version in the store: the files,
 * then the {@code _SUCCESS} manifest that lists them, which is what makes the version the
 * partition's for readers. File names carry the writer's tag (the run, and a token of this write),
 * so that no write ever overwrites a file a reader may be reading.
 */
public final class PartitionWriter {

    private final ParquetSettings settings;
    private final DatasetStore store;
    private final long runId;
    private final String writtenBy;
    private final String tag;

    /**
     * @param runId     the run whose export or retraction writes
     * @param writtenBy "export" or "retract"
     */
    PartitionWriter(ParquetSettings settings, DatasetStore store, long runId, String writtenBy) {
        this.settings = settings;
        this.store = store;
        this.runId = runId;
        this.writtenBy = writtenBy;
        this.tag = "r" + runId + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    /** Streams the query's rows (columns in order) into a new version of {@code partition}; returns the row count. */
    long write(Connection c, String partition, String dataset, List<ParquetColumn> columns, String sql, Object... args)
            throws SQLException, IOException {
        return prepare(c, partition, dataset, columns, sql, args).commit();
    }

    /**
     * Writes the files of a new version of {@code partition} from the query's rows, and leaves the
     * version for {@link Pending#commit} to make the partition's (readers see nothing of it until
     * then) or {@link Pending#abandon} to give up.
     */
    Pending prepare(Connection c, String partition, String dataset, List<ParquetColumn> columns, String sql, Object... args)
            throws SQLException, IOException {
        return written(open(partition, dataset, columns), List.of(), c, columns, sql, args);
    }

    /** The version {@code out} with the current files {@code kept} and the query's rows, finished; given up if that fails. */
    private static Pending written(Rows out, List<DatasetStore.FileEntry> kept, Connection c, List<ParquetColumn> columns, String sql,
                                   Object[] args) throws SQLException, IOException {
        boolean written = false;
        try {
            for (DatasetStore.FileEntry f : kept) {
                out.keep(f);
            }
            QueryRows.forEach(c, columns, sql, args, out::write);
            Pending pending = out.finish();
            written = true;
            return pending;
        } finally {
            if (!written) {
                out.abandon();
            }
        }
    }

    /**
     * A new version of {@code partition} that adds to the current one: its files are kept as they
     * are and the rows of {@code added} are written as new ones. The rows of {@code whole} are
     * written instead, as the only files, when the partition has no version yet, when its version
     * holds {@code maxFiles} files or more (a compaction), or when this run wrote it (a relaunch:
     * what it added is not told apart from what it kept).
     */
    Pending prepareAppended(Connection c, String partition, String dataset, List<ParquetColumn> columns, int maxFiles,
                            String added, Object[] addedArgs, String whole, Object[] wholeArgs) throws SQLException, IOException {
        DatasetStore.Manifest current = store.current(partition);
        boolean append = current != null && current.runId() != runId && dataset.equals(current.dataset())
                && current.files().size() < maxFiles;
        return append ? written(open(partition, dataset, columns), current.files(), c, columns, added, addedArgs)
                : written(open(partition, dataset, columns), List.of(), c, columns, whole, wholeArgs);
    }

    /** Begins a new version of {@code partition}, for rows written one at a time ({@link Rows}). */
    Rows open(String partition, String dataset, List<ParquetColumn> columns) throws IOException {
        return new Rows(store.begin(partition), partition, dataset, columns);
    }

    /**
     * The files of a new version of a partition, written a row at a time: a new file starts once
     * the current one holds {@code maxFileBytes}; {@link #finish} leaves the version for
     * {@link Pending#commit} (one file at least, so that an empty partition's readers see its
     * schema), {@link #abandon} gives it up.
     */
    final class Rows {
        private final DatasetStore.Write version;
        private final String partition;
        private final String dataset;
        private final List<ParquetColumn> columns;
        private final List<DatasetStore.FileEntry> files = new ArrayList<>();
        private Counted file;
        private ParquetWriter<Object[]> writer;
        private long rows;
        /** The row count at which {@link #full} is next asked. */
        private long nextSizeCheck = 1;

        private Rows(DatasetStore.Write version, String partition, String dataset, List<ParquetColumn> columns) {
            this.version = version;
            this.partition = partition;
            this.dataset = dataset;
            this.columns = columns;
        }

        /** Keeps a file of the partition's current version in this one (see {@link DatasetStore.Write#keep}). */
        void keep(DatasetStore.FileEntry f) throws IOException {
            version.keep(f.name());
            files.add(f);
        }

        /** One row, its values in the columns' order. */
        void write(Object[] row) throws IOException {
            if (Thread.currentThread().isInterrupted()) {
                throw new java.io.InterruptedIOException("the write of " + partition + " was interrupted");
            }
            if (writer != null && rows >= nextSizeCheck && full()) {
                closeFile();
                CrashPoints.reach("parquet.between-files");
            }
            if (writer == null) {
                openFile();
            }
            writer.write(row);
            rows++;
        }

        /**
         * Whether the current file holds {@code maxFileBytes}. The writer's size adds up every
         * column's buffers, too dear to ask after each row: the next check comes after half the
         * rows that would fill the file at the rows' size so far, so the file ends within a few
         * rows of the bound.
         */
        private boolean full() {
            long size = writer.getDataSize();
            long left = settings.maxFileBytes() - size;
            if (left <= 0) {
                return true;
            }
            long perRow = Math.max(1, size / rows);
            nextSizeCheck = rows + Math.max(1, Math.min(10_000, left / perRow / 2));
            return false;
        }

        private void openFile() throws IOException {
            String name = fileName(files.size(), tag, settings.compression());
            file = new Counted(version.file(name));
            writer = RowParquetWriter.open(file, dataset, columns, settings.compression(), settings.rowGroupBytes());
            files.add(new DatasetStore.FileEntry(name, 0, 0));
        }

        private void closeFile() throws IOException {
            ParquetWriter<Object[]> w = writer;
            writer = null;
            w.close();
            files.set(files.size() - 1, new DatasetStore.FileEntry(files.get(files.size() - 1).name(), rows, file.bytes));
            rows = 0;
            nextSizeCheck = 1;
        }

        /** Closes the last file; the version's files are then complete. */
        Pending finish() throws IOException {
            if (writer == null && files.isEmpty()) {
                openFile();
            }
            if (writer != null) {
                closeFile();
            }
            return new Pending(version, new DatasetStore.Manifest(dataset, runId, writtenBy, files));
        }

        /** Gives the version up, files and all. */
        void abandon() {
            if (writer != null) {
                try {
                    writer.close();
                } catch (IOException | RuntimeException e) {
                    // given up anyway
                }
                writer = null;
            }
            version.abandon();
        }
    }

    /** A partition's new version whose files are written, not yet the partition's. */
    static final class Pending {
        private final DatasetStore.Write version;
        private final DatasetStore.Manifest manifest;

        private Pending(DatasetStore.Write version, DatasetStore.Manifest manifest) {
            this.version = version;
            this.manifest = manifest;
        }

        /** Makes the version the partition's (see {@link DatasetStore.Write#commit}); returns its row count. */
        long commit() throws IOException {
            boolean committed = false;
            try {
                version.commit(manifest);
                committed = true;
            } finally {
                if (!committed) {
                    version.abandon();
                }
            }
            return rows();
        }

        void abandon() {
            version.abandon();
        }

        long rows() {
            return manifest.files().stream().mapToLong(DatasetStore.FileEntry::rows).sum();
        }
    }

    /** A data file's name: {@code part-NNNNN-TAG.codec.parquet}, the tag being {@code rRUN-TOKEN} of one write. */
    static String fileName(int n, String tag, org.apache.parquet.hadoop.metadata.CompressionCodecName codec) {
        return String.format(Locale.ROOT, "part-%05d-%s.%s.parquet", n, tag, codec.name().toLowerCase(Locale.ROOT));
    }

    private static final java.util.regex.Pattern FILE_NAME = java.util.regex.Pattern.compile("part-\\d+-(r\\d+-[0-9a-f]+)\\.[a-z]+\\.parquet");

    /** The write a data file's name says it belongs to (its tag, see {@link #fileName}), or null for another name. */
    static String writeTag(String name) {
        java.util.regex.Matcher m = FILE_NAME.matcher(name);
        return m.matches() ? m.group(1) : null;
    }

    /** Removes {@code partition} whole for readers. */
    void remove(String partition) throws IOException {
        store.remove(partition);
    }

    /** Deletes a directory and everything below it; nothing when it does not exist. */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An output file that remembers how many bytes were written to it, for the manifest. */
    private static final class Counted implements OutputFile {
        private final OutputFile file;
        private long bytes;

        Counted(OutputFile file) {
            this.file = file;
        }

        @Override
        public PositionOutputStream create(long blockSizeHint) throws IOException {
            return counting(file.create(blockSizeHint));
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
            return counting(file.createOrOverwrite(blockSizeHint));
        }

        private PositionOutputStream counting(PositionOutputStream out) {
            return new PositionOutputStream() {
                @Override
                public long getPos() throws IOException {
                    return out.getPos();
                }

                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }

                @Override
                public void close() throws IOException {
                    bytes = out.getPos();
                    out.close();
                }
            };
        }

        @Override
        public boolean supportsBlockSize() {
            return file.supportsBlockSize();
        }

        @Override
        public long defaultBlockSize() {
            return file.defaultBlockSize();
        }

        @Override
        public String getPath() {
            return file.getPath();
        }
    }
}
