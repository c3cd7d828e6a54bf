package io.wickrcensus.support;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/** Says what is wrong with a file or directory in words, where Java's exceptions often give only the path. */
public final class FileProblems {

    private FileProblems() {
    }

    /** Why an operation on a path failed: "permission denied", "a file is in the way", the OS's reason. */
    public static String describe(IOException e) {
        if (e instanceof AccessDeniedException a) {
            return "permission denied (" + a.getFile() + ")";
        }
        if (e instanceof FileAlreadyExistsException f) {
            return "a file is in the way (" + f.getFile() + " exists and is not a directory)";
        }
        if (e instanceof NotDirectoryException n) {
            return "not a directory (" + n.getFile() + ")";
        }
        if (e instanceof NoSuchFileException n) {
            return "no such file or directory (" + n.getFile() + ")";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason().toLowerCase(java.util.Locale.ROOT) + " (" + f.getFile() + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * Null when {@code dir} is (or can be made) a directory this process can create files in;
     * else why not. Leaves the directory in place, and no file in it.
     */
    public static String unwritableDirectory(Path dir) {
        try {
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                return "it is a file, not a directory";
            }
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".wickr-census-write-check-", ".tmp");
            Files.delete(probe);
            return null;
        } catch (IOException e) {
            return describe(e);
        }
    }
}
