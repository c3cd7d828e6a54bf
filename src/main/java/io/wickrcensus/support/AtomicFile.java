package io.wickrcensus.support;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

/** Writes a file atomically: into a temporary file beside it, then renamed over it (a report, a page). */
public final class AtomicFile {

    /** What writes the file's content. */
    @FunctionalInterface
    public interface Content {
        void write(Writer out) throws IOException;
    }

    private AtomicFile() {
    }

    /**
     * Writes {@code file}: readers see the old file or the new one, never a part. The file is
     * created as any file is (its mode follows the umask, as for the Parquet files), or readable
     * by its owner only when {@code privateFile}.
     */
    public static void write(Path file, boolean privateFile, Content content) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + UUID.randomUUID() + ".tmp");
        if (privateFile) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(tmp);
        }
        try {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                content.write(w);
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
