package io.wickrcensus.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStoreTest {

    @TempDir
    Path root;

    private static void version(DatasetStore store, String partition, String file, String content) throws Exception {
        DatasetStore.Write w = store.begin(partition);
        try (OutputStream out = w.file(file).create(0)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        w.commit(new DatasetStore.Manifest("users", 7, "export", List.of(new DatasetStore.FileEntry(file, 1, content.length()))));
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aNewPartitionTakesItsPlaceWithItsManifest() throws Exception {
        try (DatasetStore store = new LocalStore(root, "n")) {
            version(store, "users/network_id=n/snapshot_date=2026-11-20", "part-00000-r7-a.zstd.parquet", "first");
        }
        Path partition = root.resolve("users/network_id=n/snapshot_date=2026-11-20");
        assertThat(Files.readString(partition.resolve("part-00000-r7-a.zstd.parquet"))).isEqualTo("first");
        assertThat(DatasetStore.Manifest.fileNames(Files.readAllBytes(partition.resolve("_SUCCESS"))))
                .containsExactly("part-00000-r7-a.zstd.parquet");
        assertThat(root.resolve(".staging/n")).doesNotExist();
    }

    @Test
    void anExistingPartitionIsReplacedWholeAndNothingOfItIsLeft() throws Exception {
        Path partition = root.resolve("unames/network_id=n");
        try (DatasetStore store = new LocalStore(root, "n")) {
            version(store, "unames/network_id=n", "part-00000-r1-a.zstd.parquet", "old");
            Files.writeString(partition.resolve("part-00001-r1-a.zstd.parquet"), "an old second file");
            version(store, "unames/network_id=n", "part-00000-r2-b.zstd.parquet", "new");
            assertThat(names(root.resolve(".staging/n"))).as("the replaced partition is deleted").isEmpty();
        }
        assertThat(names(partition)).containsExactly("_SUCCESS", "part-00000-r2-b.zstd.parquet");
    }

    @Test
    void anAbandonedVersionLeavesThePartitionAsItWas() throws Exception {
        try (DatasetStore store = new LocalStore(root, "n")) {
            version(store, "runs/network_id=n", "part-00000-r1-a.zstd.parquet", "kept");
            DatasetStore.Write w = store.begin("runs/network_id=n");
            try (OutputStream out = w.file("part-00000-r2-b.zstd.parquet").create(0)) {
                out.write(1);
            }
            w.abandon();
        }
        assertThat(names(root.resolve("runs/network_id=n"))).containsExactly("_SUCCESS", "part-00000-r1-a.zstd.parquet");
        assertThat(root.resolve(".staging/n")).doesNotExist();
    }
}
