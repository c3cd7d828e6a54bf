package io.wickrcensus.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionSwapTest {

    @TempDir
    Path root;

    private PartitionWriter writer() {
        return new PartitionWriter(ParquetSettings.DEFAULT.withOutputDir(root), root.resolve(".staging"));
    }

    private Path staged(String name, String content) throws Exception {
        Path dir = Files.createDirectories(root.resolve(".staging").resolve(name));
        Files.writeString(dir.resolve("part-00000.zstd.parquet"), content);
        Files.writeString(dir.resolve("_SUCCESS"), "");
        return dir;
    }

    @Test
    void aNewPartitionTakesItsPlace() throws Exception {
        Path partition = root.resolve("users/network_id=n/snapshot_date=2026-11-20");
        writer().swap(staged("a", "first"), partition);

        assertThat(Files.readString(partition.resolve("part-00000.zstd.parquet"))).isEqualTo("first");
        assertThat(partition.resolve("_SUCCESS")).exists();
        assertThat(root.resolve(".staging/a")).doesNotExist();
    }

    @Test
    void anExistingPartitionIsReplacedWholeAndNothingOfItIsLeft() throws Exception {
        Path partition = root.resolve("unames/network_id=n");
        writer().swap(staged("a", "old"), partition);
        Files.writeString(partition.resolve("part-00001.zstd.parquet"), "an old second file");

        writer().swap(staged("b", "new"), partition);

        try (Stream<Path> files = Files.list(partition)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("_SUCCESS", "part-00000.zstd.parquet");
        }
        assertThat(Files.readString(partition.resolve("part-00000.zstd.parquet"))).isEqualTo("new");
        try (Stream<Path> left = Files.list(root.resolve(".staging"))) {
            assertThat(left.toList()).as("the replaced partition is deleted").isEmpty();
        }
    }
}
