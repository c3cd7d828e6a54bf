package io.wickrcensus.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the tests put their logs and scratch directories: under {@code target/test-files}, never in
 * the system temp directory, so a suite leaves nothing behind outside the build and its logs can
 * be read after a failure. Child JVMs get the same directory as their {@code java.io.tmpdir}.
 */
public final class TestFiles {

    private static final Path ROOT = Path.of("target", "test-files").toAbsolutePath();

    private TestFiles() {
    }

    public static Path root() {
        try {
            return Files.createDirectories(ROOT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new, empty log file. */
    public static Path log(String prefix) throws IOException {
        return Files.createTempFile(root(), prefix + "-", ".log");
    }

    /** Copies the directory {@code from} (if it exists) to {@code to}, files and all. */
    public static void copyTree(Path from, Path to) {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (java.util.stream.Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new, empty directory. */
    public static Path dir(String prefix) throws IOException {
        return Files.createTempDirectory(root(), prefix + "-");
    }
}
