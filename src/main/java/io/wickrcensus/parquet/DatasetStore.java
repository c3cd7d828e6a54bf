package io.wickrcensus.parquet;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import org.apache.parquet.io.OutputFile;

/**
 * Where one network's Parquet partitions live: a local (or mounted) directory, or S3. Partitions
 * are named by their path below the datasets' root, with '/' ({@code users/network_id=N/snapshot_date=D}).
 * Whatever the store, a partition changes for readers only when its {@code _SUCCESS} manifest does.
 */
interface DatasetStore extends Closeable {

    /** The store of {@code networkId}'s partitions under the settings' root. */
    static DatasetStore open(ParquetSettings settings, String networkId) {
        return settings.root() instanceof FileRoot.Bucket b ? new S3Store(b.target(), networkId)
                : new LocalStore(((FileRoot.Directory) settings.root()).path(), networkId);
    }

    /**
     * Removes what an interrupted write of this network left under {@code networkDirs} (each
     * dataset's {@code DATASET/network_id=N}): staging files, dangling uploads, unlisted objects.
     */
    void recover(List<String> networkDirs) throws IOException;

    /** Starts writing a new version of {@code partition}; readers see nothing of it until {@link Write#commit}. */
    Write begin(String partition) throws IOException;

    /** Removes {@code partition} whole for readers: its manifest goes first. Nothing when it does not exist. */
    void remove(String partition) throws IOException;

    /** The manifest of {@code partition}'s current version; null when it has none (or none that reads). */
    Manifest current(String partition) throws IOException;

    /**
     * Copies a file of {@code partition}'s current version to {@code target}: a {@code file:} URI for
     * a local store (a hard link where the file system allows, the bytes otherwise), an
     * {@code s3://BUCKET/KEY} for S3 (a copy on the server). Either way the copy outlives the
     * partition's next version.
     */
    void copy(String partition, String name, String target) throws IOException;

    /** One new version of a partition. */
    interface Write {

        /** A new file of the partition, named {@code name}. */
        OutputFile file(String name) throws IOException;

        /** Keeps the current version's file {@code name} in this version too, as it is (no row written again). */
        void keep(String name) throws IOException;

        /** Makes the files the partition, with {@code manifest} as its {@code _SUCCESS}, and deletes the previous version's files. */
        void commit(Manifest manifest) throws IOException;

        /** Gives this version up: its files go, as far as the store allows now (a relaunch's {@link #recover} does the rest). */
        void abandon();
    }

    /**
     * A partition's {@code _SUCCESS}: its files with their row counts and sizes, the run that wrote
     * them and the schema version. Written last: a reader that follows it never sees a partial
     * partition.
     */
    record Manifest(String dataset, long runId, String writtenBy, List<FileEntry> files) {

        /** The version of the datasets' schema (the columns in the README); it changes when a column does. */
        static final int SCHEMA_VERSION = 1;
        static final String NAME = "_SUCCESS";

        byte[] toJson() {
            var root = io.wickrcensus.api.Json.MAPPER.createObjectNode();
            root.put("schema_version", SCHEMA_VERSION);
            root.put("dataset", dataset);
            root.put("run_id", runId);
            root.put("written_by", writtenBy);
            var list = root.putArray("files");
            for (FileEntry f : files) {
                list.addObject().put("name", f.name()).put("rows", f.rows()).put("bytes", f.bytes());
            }
            return io.wickrcensus.api.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        }

        /** A manifest read back; null for an unreadable one. */
        static Manifest parse(byte[] json) {
            try {
                var root = io.wickrcensus.api.Json.MAPPER.readTree(json);
                if (root.path("schema_version").asInt() != SCHEMA_VERSION || !root.path("run_id").isNumber()) {
                    return null;
                }
                List<FileEntry> files = new java.util.ArrayList<>();
                root.path("files").forEach(f -> files.add(new FileEntry(f.path("name").asString(), f.path("rows").asLong(),
                        f.path("bytes").asLong())));
                return new Manifest(root.path("dataset").asString(), root.path("run_id").asLong(), root.path("written_by").asString(), files);
            } catch (RuntimeException e) {
                return null;
            }
        }

        /** The file names a manifest lists; an empty list for an empty or unreadable one. */
        static List<String> fileNames(byte[] json) {
            try {
                var files = io.wickrcensus.api.Json.MAPPER.readTree(json).path("files");
                List<String> names = new java.util.ArrayList<>();
                files.forEach(f -> names.add(f.path("name").asString()));
                return names;
            } catch (RuntimeException e) {
                return List.of();
            }
        }
    }

    record FileEntry(String name, long rows, long bytes) {
    }
}
