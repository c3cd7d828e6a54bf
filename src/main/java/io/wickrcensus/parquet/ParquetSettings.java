package io.wickrcensus.parquet;

import java.nio.file.Path;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Where and how the Parquet datasets are written.
 *
 * @param enabled       whether a run writes them
 * @param outputDir     the root of the datasets in a local (or mounted) directory, or null when they are on S3
 * @param s3            the root of the datasets on S3, or null when they are local
 * @param compression   ZSTD (smallest), SNAPPY (fastest) or UNCOMPRESSED
 * @param maxFileBytes  a partition's data goes to a new file once the current one reaches this size
 * @param rowGroupBytes the row group size (the writer buffers one row group in memory)
 */
public record ParquetSettings(boolean enabled, Path outputDir, S3Target s3, CompressionCodecName compression, long maxFileBytes,
                              long rowGroupBytes) {

    /** The datasets' root unless told otherwise. */
    public static final String DEFAULT_OUTPUT_DIR = "census-data/parquet";
    public static final int DEFAULT_MAX_FILE_MB = 512;
    /** The documented defaults: on, ZSTD, files of at most 512 MB, row groups of 64 MB. */
    public static final ParquetSettings DEFAULT = new ParquetSettings(true, Path.of(DEFAULT_OUTPUT_DIR), null,
            CompressionCodecName.ZSTD, (long) DEFAULT_MAX_FILE_MB << 20, 64L << 20);
    /** No datasets. */
    public static final ParquetSettings OFF = DEFAULT.withEnabled(false);

    public ParquetSettings {
        if ((outputDir == null) == (s3 == null)) {
            throw new IllegalArgumentException("the Parquet datasets go to one place: a directory or S3");
        }
        if (outputDir != null && S3Target.isOtherUrl(outputDir.toString())) {
            // Path.of("s3://bucket/x") is a local path "s3:/bucket/x": the datasets would land in a directory named s3:
            throw new IllegalArgumentException("--output-dir " + outputDir + " is a URL; the Parquet datasets are written to a "
                    + "local or mounted directory or to s3://BUCKET/PREFIX");
        }
        if (maxFileBytes < (1 << 20)) {
            throw new IllegalArgumentException("--parquet-max-file-mb must be at least 1");
        }
        if (compression != CompressionCodecName.ZSTD && compression != CompressionCodecName.SNAPPY
                && compression != CompressionCodecName.UNCOMPRESSED) {
            throw new IllegalArgumentException("--parquet-compression must be zstd, snappy or uncompressed");
        }
    }

    public ParquetSettings withEnabled(boolean on) {
        return new ParquetSettings(on, outputDir, s3, compression, maxFileBytes, rowGroupBytes);
    }

    public ParquetSettings withOutputDir(Path dir) {
        return new ParquetSettings(enabled, dir, null, compression, maxFileBytes, rowGroupBytes);
    }

    public ParquetSettings withS3(S3Target target) {
        return new ParquetSettings(enabled, null, target, compression, maxFileBytes, rowGroupBytes);
    }

    public ParquetSettings withFiles(CompressionCodecName codec, long maxBytes, long rowGroup) {
        return new ParquetSettings(enabled, outputDir, s3, codec, maxBytes, rowGroup);
    }

    /** The datasets' root, as an operator wrote it: a directory or {@code s3://BUCKET/PREFIX}. */
    public String location() {
        return s3 != null ? s3.toString() : outputDir.toString();
    }

    /** Null when the datasets' root can take new partitions, else why not: checked before a run or retraction does anything. */
    public String problem() {
        return DatasetStore.problem(this);
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
