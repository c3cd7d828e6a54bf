package io.wickrcensus.parquet;

import io.wickrcensus.support.Utf8;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/** Writes rows ({@code Object[]} in column order) with real Parquet types. */
final class RowWriteSupport extends WriteSupport<Object[]> {

    private final List<ParquetColumn> columns;
    private final MessageType schema;
    private RecordConsumer out;

    /** With a schema of the columns' shape given (an Iceberg table's, with field ids). */
    RowWriteSupport(MessageType schema, List<ParquetColumn> columns) {
        if (schema.getFieldCount() != columns.size()) {
            throw new IllegalArgumentException("the schema has " + schema.getFieldCount() + " fields for " + columns.size() + " columns");
        }
        this.columns = List.copyOf(columns);
        this.schema = schema;
    }

    /**
     * The schema of a dataset's files, each field with the id the dataset's Iceberg table gives it:
     * the table numbers its columns 1, 2, ... in order, the partition columns (which the files leave
     * to the path) first, and the elements of list columns after all the columns. So a file of the
     * dataset can also be a data file of the table, written once.
     *
     * @param partitionColumns how many columns the path holds, before the files' own
     */
    static MessageType schema(String name, List<ParquetColumn> columns, int partitionColumns) {
        Types.MessageTypeBuilder b = Types.buildMessage();
        int id = partitionColumns;
        int elementId = partitionColumns + columns.size();
        for (ParquetColumn c : columns) {
            b.addField(type(c, ++id, c.kind() == io.wickrcensus.db.ColumnType.STRING_LIST ? ++elementId : 0));
        }
        return b.named(name);
    }

    private static Type type(ParquetColumn c, int id, int elementId) {
        return switch (c.kind()) {
            case STRING -> Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).id(id).named(c.name());
            case INT32 -> Types.optional(PrimitiveTypeName.INT32).id(id).named(c.name());
            case INT64 -> Types.optional(PrimitiveTypeName.INT64).id(id).named(c.name());
            case BOOLEAN -> Types.optional(PrimitiveTypeName.BOOLEAN).id(id).named(c.name());
            case DATE -> Types.optional(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.dateType()).id(id).named(c.name());
            case TIMESTAMP -> Types.optional(PrimitiveTypeName.INT64)
                    .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS)).id(id).named(c.name());
            case STRING_LIST -> Types.optionalList().id(id)
                    .optionalElement(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).id(elementId)
                    .named(c.name());
        };
    }

    @Override
    public WriteContext init(Configuration configuration) {
        return new WriteContext(schema, Map.of("writer", "wickr-census"));
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(schema, Map.of("writer", "wickr-census"));
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.out = recordConsumer;
    }

    @Override
    public void write(Object[] row) {
        out.startMessage();
        for (int i = 0; i < columns.size(); i++) {
            Object v = row[i];
            if (v == null) {
                continue;
            }
            ParquetColumn c = columns.get(i);
            out.startField(c.name(), i);
            switch (c.kind()) {
                case STRING -> out.addBinary(utf8(v));
                case INT32 -> out.addInteger(((Number) v).intValue());
                case INT64 -> out.addLong(((Number) v).longValue());
                case BOOLEAN -> out.addBoolean((Boolean) v);
                case DATE -> out.addInteger((int) ((LocalDate) v).toEpochDay());
                case TIMESTAMP -> out.addLong(micros(v));
                case STRING_LIST -> writeList((List<?>) v);
            }
            out.endField(c.name(), i);
        }
        out.endMessage();
    }

    /**
     * A value's UTF-8 bytes, backed by an array of their own: {@code Binary.fromString} wraps them in
     * a ByteBuffer, whose comparisons (statistics) and hashing (dictionaries) cost more per value.
     * A {@code Binary} is such bytes already ({@link QueryRows#forEach}), and a {@link Utf8} is a
     * slice of them.
     */
    private static Binary utf8(Object v) {
        if (v instanceof Utf8 u) {
            // a slice of a larger array (a ListUsers page): "reused", so a dictionary or a statistic keeps a copy of
            // the value, not the whole page
            return Binary.fromReusedByteArray(u.array(), u.offset(), u.length());
        }
        return v instanceof Binary b ? b : Binary.fromConstantByteArray(v.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A timestamp's microseconds of UTC: a {@code Long} of them or an Instant ({@link QueryRows#forEach},
     * for a result in binary or in text format), an OffsetDateTime from an Iceberg record (compaction).
     */
    private static long micros(Object v) {
        if (v instanceof Long micros) {
            return micros;
        }
        Instant t = v instanceof OffsetDateTime o ? o.toInstant() : (Instant) v;
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    private void writeList(List<?> values) {
        out.startGroup();
        if (!values.isEmpty()) {
            out.startField("list", 0);
            for (Object e : values) {
                out.startGroup();
                if (e != null) {
                    out.startField("element", 0);
                    out.addBinary(utf8(e));
                    out.endField("element", 0);
                }
                out.endGroup();
            }
            out.endField("list", 0);
        }
        out.endGroup();
    }
}
