package io.wickrcensus.iceberg;

import static io.wickrcensus.db.ColumnType.DATE;
import static io.wickrcensus.db.ColumnType.INT64;
import static io.wickrcensus.db.ColumnType.STRING;
import static io.wickrcensus.parquet.ParquetColumn.of;

import io.wickrcensus.db.ColumnType;
import io.wickrcensus.parquet.ParquetColumn;
import io.wickrcensus.parquet.ParquetExporter;
import io.wickrcensus.parquet.QueryRows;
import io.wickrcensus.parquet.RowParquetWriter;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * One Iceberg table of the lake: its columns (the datasets' own, with the partition columns in the
 * files too), its partitioning and sort order, and the query that gives a partition's rows.
 *
 * <p>Files are written with the job's own Parquet writer ({@link RowParquetWriter}), which measured
 * cheaper than Iceberg's generic one, given the table's schema as Iceberg converts it: every field
 * carries its id, by which Iceberg's readers match columns. Each file is registered with its footer
 * metrics. File names start with {@code r<run>-<operation>-}: a relaunch removes the files an
 * operation of a run wrote before a crash and never committed.
 *
 * @param name     the table's name in the namespace
 * @param dataset  the Parquet dataset of the same rows, or null
 * @param columns  its columns, in order
 * @param spec     its partitioning, from the schema
 * @param sortedBy the columns its files are sorted by (the queries' ORDER BY)
 */
record LakeTable(String name, String dataset, List<ParquetColumn> columns, UnaryOperator<PartitionSpec.Builder> spec, List<String> sortedBy) {

    private static final ParquetColumn NETWORK = of("network_id", STRING);
    private static final ParquetColumn SNAPSHOT_DATE = of("snapshot_date", DATE);

    /** One row per user per published snapshot, partitioned by network and snapshot date. */
    static final LakeTable USERS = ofDataset("users", "users", ParquetExporter.USERS,
            b -> b.identity("network_id").identity("snapshot_date"), List.of("user_id"));
    /** The latest observed guest list of each billing period, partitioned by network and period. */
    static final LakeTable GUESTS = ofDataset("guests", "guest_users", ParquetExporter.GUESTS,
            b -> b.identity("network_id").identity("billing_period"), List.of("username_hash"));
    /**
     * The answers of uname lookups, in the uname dataset's columns, appended as each night resolves
     * them (a refreshed uname appears again, with a later {@code last_resolved_at}).
     */
    static final LakeTable UNAMES = ofDataset("unames", "unames", ParquetExporter.UNAMES, b -> b.identity("network_id"),
            List.of("uname"));
    /** The audit events each published snapshot observed ({@code census.user_events_by_run}), by network and month. */
    static final LakeTable USER_EVENTS = new LakeTable("user_events", null,
            List.of(NETWORK, SNAPSHOT_DATE, of("run_id", INT64), of("user_id", STRING), of("username", STRING), of("kind", STRING),
                    of("before", STRING), of("after", STRING)),
            b -> b.identity("network_id").month("snapshot_date"), List.of("snapshot_date", "user_id", "kind"));
    /** The run ledger of each network, replaced by each night's. */
    static final LakeTable RUNS = ofDataset("runs", "runs", ParquetExporter.RUNS, b -> b.identity("network_id"), List.of("run_id"));

    /**
     * The table of a Parquet dataset: the dataset's partition columns (identity partitions here),
     * then its files' columns. The ids agree with those the dataset's files carry, so a file of the
     * dataset can be one of the table's.
     */
    private static LakeTable ofDataset(String name, String dataset, List<ParquetColumn> fileColumns, UnaryOperator<PartitionSpec.Builder> spec,
                                       List<String> sortedBy) {
        return new LakeTable(name, dataset, Stream.concat(ParquetExporter.partitionColumns(dataset).stream(), fileColumns.stream()).toList(),
                spec, sortedBy);
    }

    /** Every table, in the order a night commits them: runs last, the night's "published" marker. */
    static final List<LakeTable> ALL = List.of(USERS, GUESTS, UNAMES, USER_EVENTS, RUNS);

    /** The Iceberg schema: every column optional, ids in order (a list's element after all the columns). */
    Schema schema() {
        List<Types.NestedField> fields = new ArrayList<>();
        int id = 1;
        int elementId = columns.size() + 1;
        for (ParquetColumn c : columns) {
            Type type = c.kind() == ColumnType.STRING_LIST ? Types.ListType.ofOptional(elementId++, Types.StringType.get()) : type(c.kind());
            fields.add(Types.NestedField.optional(id++, c.name(), type));
        }
        return new Schema(fields);
    }

    private static Type type(ColumnType kind) {
        return switch (kind) {
            case STRING -> Types.StringType.get();
            case INT32 -> Types.IntegerType.get();
            case INT64 -> Types.LongType.get();
            case BOOLEAN -> Types.BooleanType.get();
            case DATE -> Types.DateType.get();
            case TIMESTAMP -> Types.TimestampType.withZone();
            case STRING_LIST -> throw new IllegalArgumentException("a list has an element id");
        };
    }

    PartitionSpec partitionSpec(Schema schema) {
        return spec.apply(PartitionSpec.builderFor(schema)).build();
    }

    SortOrder sortOrder(Schema schema) {
        SortOrder.Builder b = SortOrder.builderFor(schema);
        sortedBy.forEach(b::asc);
        return b.build();
    }

    /** {@code SELECT} of the columns, in order. */
    String select() {
        return "SELECT " + columns.stream().map(c -> switch (c.name()) {
            case "before", "after" -> "\"" + c.name() + "\"";
            default -> c.name();
        }).collect(Collectors.joining(", "));
    }

    /**
     * Writes the rows of {@code sql} (all of one partition) as data files of {@code table}, named for
     * {@code writer} (see {@link #writer}); none when there are no rows. A file ends once it holds the table's target size.
     */
    static List<DataFile> write(Table table, LakeTable def, Connection c, String writer, CompressionCodecName codec, long rowGroupBytes,
                                String sql, Object... args) throws SQLException, IOException {
        return write(table, def, writer, codec, rowGroupBytes, true, sink -> QueryRows.forEach(c, def.columns, sql, args, sink));
    }

    /** Rows handed to a sink, in the columns' order. */
    @FunctionalInterface
    interface RowSource {
        void into(QueryRows.Sink sink) throws SQLException, IOException;
    }

    /** The same from any source of rows; {@code sorted}: they come in the table's sort order. */
    static List<DataFile> write(Table table, LakeTable def, String writer, CompressionCodecName codec, long rowGroupBytes, boolean sorted,
                                RowSource rows) throws SQLException, IOException {
        Files files = new Files(table, def, writer, codec, rowGroupBytes, sorted);
        try {
            rows.into(files::write);
            return files.finish();
        } catch (SQLException | IOException | RuntimeException e) {
            files.abandon();
            throw e;
        }
    }

    /**
     * A copy of a dataset's file (see {@link ParquetExporter#copyCommitted}) as a data file of
     * {@code table}, in the partition its dataset path names ({@code network_id=N/snapshot_date=D}),
     * with its footer's metrics; null when its columns are not the table's, field ids and types
     * (a file written before the datasets' files carried ids, or a table whose schema has evolved).
     * The partition columns are in the path only: for identity partitions Iceberg's readers take
     * their values from the partition, as the specification provides for files migrated from Hive.
     */
    static DataFile copied(Table table, String location, long bytes, String partitionPath) throws IOException {
        org.apache.iceberg.io.InputFile in = table.io().newInputFile(location, bytes);
        org.apache.parquet.hadoop.metadata.ParquetMetadata footer;
        try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(ParquetOutput.input(in))) {
            footer = reader.getFooter();
        }
        org.apache.parquet.schema.MessageType type = footer.getFileMetaData().getSchema();
        if (!ParquetSchemaUtil.hasIds(type)) {
            return null;
        }
        Schema file = ParquetSchemaUtil.convert(type);
        Schema expected = org.apache.iceberg.types.TypeUtil.select(table.schema(), org.apache.iceberg.types.TypeUtil.getProjectedIds(file));
        if (!file.asStruct().equals(expected.asStruct())) {
            return null;
        }
        return DataFiles.builder(table.spec())
                .withPath(location)
                .withFormat(FileFormat.PARQUET)
                .withPartitionPath(partitionPath)
                .withFileSizeInBytes(bytes)
                .withMetrics(ParquetUtil.footerMetrics(footer, Stream.empty(), MetricsConfig.forTable(table)))
                .withSortOrder(SortOrder.unsorted())
                .build();
    }

    /**
     * The prefix of the data files one operation of a run writes ({@code r<run>-<operation>-}): the
     * files a relaunch removes when that operation's commit is not in the table.
     */
    static String writer(long runId, String operation) {
        return "r" + runId + "-" + operation + "-";
    }

    /** The files being written for one partition. */
    private static final class Files {
        private final Table table;
        private final LakeTable def;
        private final CompressionCodecName codec;
        private final long rowGroupBytes;
        private final long targetBytes;
        private final String tag;
        private final Schema written;
        private final org.apache.parquet.schema.MessageType schema;
        private final List<DataFile> done = new ArrayList<>();
        private final InternalRecordWrapper wrapper;
        private final boolean sorted;
        private PartitionKey partition;
        private ParquetWriter<Object[]> writer;
        private ParquetOutput out;
        private long rows;

        Files(Table table, LakeTable def, String writer, CompressionCodecName codec, long rowGroupBytes, boolean sorted) {
            this.sorted = sorted;
            this.table = table;
            this.def = def;
            this.codec = codec;
            this.rowGroupBytes = rowGroupBytes;
            this.targetBytes = Long.parseLong(table.properties().getOrDefault("write.target-file-size-bytes", Long.toString(512L << 20)));
            this.tag = writer + UUID.randomUUID().toString().substring(0, 8);
            // the table's columns that this definition writes, with the table's ids: a table made by an earlier version of the job
            // may hold more (they read as null in these files)
            this.written = table.schema().select(def.columns.stream().map(ParquetColumn::name).toList());
            this.schema = ParquetSchemaUtil.convert(written, def.name);
            this.wrapper = new InternalRecordWrapper(written.asStruct());
        }

        void write(Object[] row) throws IOException {
            if (writer == null) {
                open(row);
            }
            writer.write(row);
            if (++rows % 10_000 == 0 && writer.getDataSize() >= targetBytes) {
                close();
            }
        }

        private void open(Object[] row) throws IOException {
            if (partition == null) {
                GenericRecord r = GenericRecord.create(written);
                for (int i = 0; i < row.length; i++) {
                    r.set(i, typed(row[i]));
                }
                partition = new PartitionKey(table.spec(), written);
                partition.partition(wrapper.wrap(r));
            }
            String location = table.locationProvider().newDataLocation(table.spec(), partition,
                    tag + "-" + String.format(java.util.Locale.ROOT, "%05d", done.size()) + ".parquet");
            out = new ParquetOutput(table.io().newOutputFile(location));
            writer = RowParquetWriter.open(out, schema, def.columns, codec, rowGroupBytes);
            rows = 0;
        }

        /**
         * A value as an Iceberg record holds it, for the partition key: a row read for the files
         * ({@link QueryRows#forEach}) holds a string as its UTF-8 bytes. (No table is
         * partitioned by a timestamp, which such a row holds as its microseconds.)
         */
        private static Object typed(Object v) {
            return v instanceof org.apache.parquet.io.api.Binary b ? b.toStringUsingUTF8() : v;
        }

        private void close() throws IOException {
            ParquetWriter<Object[]> w = writer;
            writer = null;
            w.close();
            done.add(DataFiles.builder(table.spec())
                    .withPath(out.location())
                    .withFormat(FileFormat.PARQUET)
                    .withPartition(partition.copy())
                    .withFileSizeInBytes(out.bytes())
                    .withMetrics(ParquetUtil.footerMetrics(w.getFooter(), Stream.empty(), MetricsConfig.forTable(table)))
                    .withSortOrder(sorted ? table.sortOrder() : SortOrder.unsorted())
                    .build());
        }

        List<DataFile> finish() throws IOException {
            if (writer != null) {
                close();
            }
            return List.copyOf(done);
        }

        void abandon() {
            if (writer != null) {
                try {
                    writer.close();
                } catch (IOException | RuntimeException e) {
                    // given up anyway; the relaunch removes the run's uncommitted files
                }
                writer = null;
            }
        }
    }

    /** The table properties the job sets: see the README's Iceberg section for why. */
    static Map<String, String> properties(CompressionCodecName codec, long targetFileBytes) {
        return Map.of(
                "format-version", "2",
                "write.parquet.compression-codec", codec.name().toLowerCase(java.util.Locale.ROOT),
                "write.target-file-size-bytes", Long.toString(targetFileBytes),
                "write.metadata.delete-after-commit.enabled", "true",
                "write.metadata.previous-versions-max", "50",
                "commit.retry.num-retries", "20",
                "commit.retry.min-wait-ms", "50");
    }
}
