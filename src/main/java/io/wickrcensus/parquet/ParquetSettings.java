package io.wickrcensus.parquet;

import io.wickrcensus.support.SettingException;
import java.nio.file.Path;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Where and how the Parquet datasets are written.
 *
 * @param enabled       whether a run writes them
 * @param root          the root of the datasets: a local (or mounted) directory, or an S3 prefix
 * @param compression   ZSTD (smallest), SNAPPY (fastest) or UNCOMPRESSED
 * @param maxFileBytes  a partition's data goes to a new file once the current one reaches this size
 * @param rowGroupBytes the row group size (the writer buffers one row group in memory)
 */
public record ParquetSettings(boolean enabled, FileRoot root, CompressionCodecName compression, long maxFileBytes,
                              long rowGroupBytes) {

    /** The datasets' root unless told otherwise. */
    public static final String DEFAULT_OUTPUT_DIR = "census-data/parquet";
    public static final int DEFAULT_MAX_FILE_MB = 512;
    /** The compression unless told otherwise, in the command line's word ({@link #codec}). */
    public static final String DEFAULT_COMPRESSION = "zstd";
    /** The documented defaults: on, ZSTD, files of at most 512 MB, row groups of 64 MB. */
    public static final ParquetSettings DEFAULT = new ParquetSettings(true, new FileRoot.Directory(Path.of(DEFAULT_OUTPUT_DIR)),
            codec(DEFAULT_COMPRESSION), (long) DEFAULT_MAX_FILE_MB << 20, 64L << 20);
    /** No datasets. */
    public static final ParquetSettings OFF = DEFAULT.withEnabled(false);

    public ParquetSettings {
        java.util.Objects.requireNonNull(root, "the Parquet datasets' root");
        if (root instanceof FileRoot.Directory d && S3Target.isOtherUrl(d.path().toString())) {
            // Path.of("s3://bucket/x") is a local path "s3:/bucket/x": the datasets would land in a directory named s3:
            throw new IllegalArgumentException(d.path() + " is a URL; the Parquet datasets are written to a "
                    + "local or mounted directory or to s3://BUCKET/PREFIX");
        }
        if (maxFileBytes < (1 << 20)) {
            throw new SettingException("parquet.maxFileBytes", "must be at least 1 MB");
        }
        if (compression != CompressionCodecName.ZSTD && compression != CompressionCodecName.SNAPPY
                && compression != CompressionCodecName.UNCOMPRESSED) {
            throw new SettingException("parquet.compression", "must be zstd, snappy or uncompressed");
        }
    }

    public ParquetSettings withEnabled(boolean on) {
        return new ParquetSettings(on, root, compression, maxFileBytes, rowGroupBytes);
    }

    public ParquetSettings withRoot(FileRoot newRoot) {
        return new ParquetSettings(enabled, newRoot, compression, maxFileBytes, rowGroupBytes);
    }

    public ParquetSettings withOutputDir(Path dir) {
        return withRoot(new FileRoot.Directory(dir));
    }

    public ParquetSettings withS3(S3Target target) {
        return withRoot(new FileRoot.Bucket(target));
    }

    public ParquetSettings withFiles(CompressionCodecName codec, long maxBytes, long rowGroup) {
        return new ParquetSettings(enabled, root, codec, maxBytes, rowGroup);
    }

    /** The datasets' root, as an operator wrote it: a directory or {@code s3://BUCKET/PREFIX}. */
    public String location() {
        return root.toString();
    }

    /** Null when the datasets' root can take new partitions, else why not: checked before a run or retraction does anything. */
    public String problem() {
        return root.problem();
    }

    public static CompressionCodecName codec(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "zstd" -> CompressionCodecName.ZSTD;
            case "snappy" -> CompressionCodecName.SNAPPY;
            case "none", "uncompressed" -> CompressionCodecName.UNCOMPRESSED;
            default -> throw new SettingException("parquet.compression", "must be zstd, snappy or uncompressed, got '" + name + "'");
        };
    }
}
