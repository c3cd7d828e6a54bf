package io.wickrcensus.parquet;

import io.wickrcensus.faults.CrashPoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * Writes one partition of a dataset from a query, atomically for readers: the files are written
 * into a staging directory outside the dataset, {@code _SUCCESS} is written last, and only then
 * does the directory take the partition's place (the old one, if any, renamed away first and
 * deleted). A reader sees the old partition or the new one, never a partial file and never both.
 */
public final class PartitionWriter {

    private final ParquetSettings settings;
    private final Path stagingRoot;

    PartitionWriter(ParquetSettings settings, Path stagingRoot) {
        this.settings = settings;
        this.stagingRoot = stagingRoot;
    }

    /** Streams the query's rows (columns in order) into {@code partition}; returns the row count. */
    long write(Connection c, Path partition, String dataset, List<ParquetColumn> columns, String sql, Object... args)
            throws SQLException, IOException {
        Path staging = stagingRoot.resolve(UUID.randomUUID().toString());
        Files.createDirectories(staging);
        long rows = 0;
        int fileNo = 0;
        ParquetWriter<Object[]> writer = null;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                writer = open(staging, fileNo++, dataset, columns);
                while (rs.next()) {
                    if (writer.getDataSize() >= settings.maxFileBytes()) {
                        writer.close();
                        CrashPoints.reach("parquet.between-files");
                        writer = open(staging, fileNo++, dataset, columns);
                    }
                    writer.write(row(rs, columns));
                    rows++;
                }
            }
        } finally {
            if (writer != null) {
                writer.close();
            }
        }
        Files.createFile(staging.resolve("_SUCCESS"));
        CrashPoints.reach("parquet.before-swap");
        swap(staging, partition);
        return rows;
    }

    private ParquetWriter<Object[]> open(Path dir, int fileNo, String dataset, List<ParquetColumn> columns) throws IOException {
        return RowParquetWriter.open(dir.resolve(String.format("part-%05d.%s.parquet", fileNo,
                settings.compression().name().toLowerCase())), dataset, columns, settings.compression(), settings.rowGroupBytes());
    }

    /**
     * Puts the finished {@code staging} directory in the partition's place: the old partition (if
     * any) is renamed away first, then the new one renamed in, then the old one deleted. Each rename
     * is atomic, so a reader sees the old partition or the new one.
     */
    void swap(Path staging, Path partition) throws IOException {
        Files.createDirectories(partition.getParent());
        Path old = stagingRoot.resolve(UUID.randomUUID() + "-replaced");
        boolean replaced = false;
        if (Files.exists(partition)) {
            Files.move(partition, old, StandardCopyOption.ATOMIC_MOVE);
            replaced = true;
        }
        try {
            Files.move(staging, partition, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("another writer created " + partition + " meanwhile", e);
        }
        if (replaced) {
            deleteTree(old);
        }
    }

    /** Removes a partition whole for readers: renamed out of the dataset first, then deleted. */
    void remove(Path partition) throws IOException {
        if (!Files.exists(partition)) {
            return;
        }
        Files.createDirectories(stagingRoot);
        Path old = stagingRoot.resolve(UUID.randomUUID() + "-removed");
        Files.move(partition, old, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
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

    private static Object[] row(ResultSet rs, List<ParquetColumn> columns) throws SQLException {
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) {
            int k = i + 1;
            row[i] = switch (columns.get(i).kind()) {
                case STRING -> rs.getString(k);
                case INT32 -> (Integer) rs.getObject(k);
                case INT64 -> rs.getObject(k) == null ? null : rs.getLong(k);
                case BOOLEAN -> (Boolean) rs.getObject(k);
                case DATE -> rs.getObject(k, LocalDate.class);
                case TIMESTAMP -> rs.getObject(k, OffsetDateTime.class);
                case STRING_LIST -> {
                    Array a = rs.getArray(k);
                    yield a == null ? null : Arrays.asList((Object[]) a.getArray());
                }
            };
        }
        return row;
    }
}
