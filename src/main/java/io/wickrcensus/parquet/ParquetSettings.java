package io.wickrcensus.parquet;

import java.nio.file.Path;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Where and how the Parquet datasets are written.
 *
 * @param enabled       whether a run writes them
 * @param outputDir     the root of the datasets
 * @param compression   ZSTD (smallest), SNAPPY (fastest) or UNCOMPRESSED
 * @param maxFileBytes  a partition's data goes to a new file once the current one reaches this size
 * @param rowGroupBytes the row group size (the writer buffers one row group in memory)
 */
public record ParquetSettings(boolean enabled, Path outputDir, CompressionCodecName compression, long maxFileBytes,
                              long rowGroupBytes) {

    public static final ParquetSettings OFF = new ParquetSettings(false, Path.of("census-data", "parquet"),
            CompressionCodecName.ZSTD, 512L << 20, 64L << 20);

    public ParquetSettings {
        if (maxFileBytes < (1 << 20)) {
            throw new IllegalArgumentException("--parquet-max-file-mb must be at least 1");
        }
        if (compression != CompressionCodecName.ZSTD && compression != CompressionCodecName.SNAPPY
                && compression != CompressionCodecName.UNCOMPRESSED) {
            throw new IllegalArgumentException("--parquet-compression must be zstd, snappy or uncompressed");
        }
    }

    public static CompressionCodecName codec(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "zstd" -> CompressionCodecName.ZSTD;
            case "snappy" -> CompressionCodecName.SNAPPY;
            case "none", "uncompressed" -> CompressionCodecName.UNCOMPRESSED;
            default -> throw new IllegalArgumentException("--parquet-compression must be zstd, snappy or uncompressed, got '" + name + "'");
        };
    }
}
