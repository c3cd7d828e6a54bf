package io.wickrcensus.parquet;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;

/**
 * Opens Parquet files for rows. It writes through an {@link OutputFile} of the store with a
 * {@link PlainParquetConfiguration}, the path that never starts Hadoop's shell, native loader or
 * login: no HADOOP_HOME, no winutils, no Hadoop warnings, no {@code .crc} sidecars.
 */
public final class RowParquetWriter {

    private RowParquetWriter() {
    }

    /** A file of {@code dataset}, with field ids as its Iceberg table numbers them (see {@link RowWriteSupport#schema}). */
    static ParquetWriter<Object[]> open(OutputFile file, String dataset, List<ParquetColumn> columns, CompressionCodecName codec,
                                        long rowGroupBytes) throws IOException {
        return open(file, RowWriteSupport.schema(dataset, columns, ParquetExporter.partitionColumns(dataset).size()), columns, codec,
                rowGroupBytes);
    }

    /**
     * The same, with a schema of the same shape given: an Iceberg table's, whose fields carry the
     * ids its readers match columns by.
     */
    public static ParquetWriter<Object[]> open(OutputFile file, org.apache.parquet.schema.MessageType schema, List<ParquetColumn> columns,
                                               CompressionCodecName codec, long rowGroupBytes) throws IOException {
        return new Builder(file, new RowWriteSupport(schema, columns))
                .withConf(new PlainParquetConfiguration())
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withCompressionCodec(codec)
                .withRowGroupSize(rowGroupBytes)
                .withDictionaryEncoding(true)
                .build();
    }

    private static final class Builder extends ParquetWriter.Builder<Object[], Builder> {
        private final RowWriteSupport support;

        Builder(OutputFile file, RowWriteSupport support) {
            super(file);
            this.support = support;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<Object[]> getWriteSupport(Configuration conf) {
            return support;
        }

        @Override
        protected WriteSupport<Object[]> getWriteSupport(ParquetConfiguration conf) {
            return support;
        }
    }
}
