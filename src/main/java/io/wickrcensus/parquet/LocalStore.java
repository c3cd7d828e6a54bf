package io.wickrcensus.parquet;

import io.wickrcensus.faults.CrashPoints;
import io.wickrcensus.support.FileProblems;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;

/**
 * Partitions in a local (or mounted) directory. A new version is written into a staging
 * directory outside the datasets ({@code .staging/NETWORK/}), {@code _SUCCESS} last, and only then
 * takes the partition's place: the old directory renamed away first, the new one renamed in, the
 * old one deleted. Each rename is atomic, so a reader sees the old partition or the new one.
 */
final class LocalStore implements DatasetStore {

    private final Path root;
    private final Path stagingRoot;

    LocalStore(Path root, String networkId) {
        this.root = root;
        this.stagingRoot = root.resolve(".staging").resolve(networkId);
    }

    static String problem(Path root) {
        return FileProblems.unwritableDirectory(root);
    }

    @Override
    public void recover(java.util.List<String> networkDirs) {
        PartitionWriter.deleteTree(stagingRoot); // what a killed write left; the run lock makes this network's ours
    }

    @Override
    public Write begin(String partition) throws IOException {
        Path staging = Files.createDirectories(stagingRoot.resolve(UUID.randomUUID().toString()));
        Path target = root.resolve(partition);
        return new Write() {
            @Override
            public OutputFile file(String name) {
                return new LocalOutputFile(staging.resolve(name));
            }

            @Override
            public void keep(String name) throws IOException {
                link(target.resolve(name), staging.resolve(name)); // the swap then moves the old directory away, not this name
            }

            @Override
            public void commit(Manifest manifest) throws IOException {
                Files.write(staging.resolve(Manifest.NAME), manifest.toJson());
                CrashPoints.reach("parquet.before-swap");
                CrashPoints.reach("parquet.before-swap." + manifest.dataset()); // one dataset's, whatever the others' order
                swap(staging, target);
            }

            @Override
            public void abandon() {
                PartitionWriter.deleteTree(staging);
            }
        };
    }

    /** Puts the finished {@code staging} directory in the partition's place (see the class comment). */
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
            PartitionWriter.deleteTree(old);
        }
    }

    @Override
    public Manifest current(String partition) throws IOException {
        Path manifest = root.resolve(partition).resolve(Manifest.NAME);
        return Files.isRegularFile(manifest) ? Manifest.parse(Files.readAllBytes(manifest)) : null;
    }

    @Override
    public void copy(String partition, String name, String target) throws IOException {
        Path to = Path.of(java.net.URI.create(target));
        Files.createDirectories(to.getParent());
        link(root.resolve(partition).resolve(name), to);
    }

    /** The same bytes under a second name: a hard link (free, and each name lives on without the other), else a copy. */
    private static void link(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (UnsupportedOperationException | java.nio.file.FileSystemException noLinks) {
            if (Files.exists(to)) {
                throw noLinks;
            }
            Files.copy(from, to);
        }
    }

    @Override
    public void remove(String partition) throws IOException {
        Path dir = root.resolve(partition);
        if (!Files.exists(dir)) {
            return;
        }
        Files.createDirectories(stagingRoot);
        Path old = stagingRoot.resolve(UUID.randomUUID() + "-removed");
        Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
        PartitionWriter.deleteTree(old);
    }

    @Override
    public void close() {
        PartitionWriter.deleteTree(stagingRoot);
    }
}
