package io.wickrcensus.iceberg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * Iceberg's files in a local (or mounted) directory, at {@code file:/...} locations, which any
 * engine's Hadoop file system reads. Iceberg's own {@code HadoopFileIO} would need the whole Hadoop
 * client, which the job leaves out; reading and writing go through Iceberg's local files
 * ({@link org.apache.iceberg.Files}). A file is never overwritten: metadata and data files have
 * names of their own, and a commit is the catalog's compare-and-swap, not a rename here.
 */
public final class LocalFileIO implements SupportsPrefixOperations {

    private static final long serialVersionUID = 1L;

    /** The {@code file:} location of a local path, as table and file locations are written. */
    public static String location(Path path) {
        return path.toAbsolutePath().normalize().toUri().toString().replaceFirst("^file:///", "file:/").replaceFirst("/$", "");
    }

    static Path path(String location) {
        if (location.startsWith("file:")) {
            return Path.of(URI.create(location.startsWith("file:///") ? location : "file://" + location.substring("file:".length())));
        }
        return Path.of(location);
    }

    @Override
    public InputFile newInputFile(String location) {
        return input(location);
    }

    /** A local input file that keeps its {@code file:} location (Iceberg's own drops the scheme). */
    private static InputFile input(String location) {
        InputFile local = org.apache.iceberg.Files.localInput(path(location).toFile());
        return new InputFile() {
            @Override
            public long getLength() {
                return local.getLength();
            }

            @Override
            public org.apache.iceberg.io.SeekableInputStream newStream() {
                return local.newStream();
            }

            @Override
            public String location() {
                return fileLocation(location);
            }

            @Override
            public boolean exists() {
                return local.exists();
            }
        };
    }

    @Override
    public OutputFile newOutputFile(String location) {
        Path p = path(location);
        try {
            Files.createDirectories(p.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of " + location, e);
        }
        OutputFile local = org.apache.iceberg.Files.localOutput(p.toFile());
        return new OutputFile() {
            @Override
            public org.apache.iceberg.io.PositionOutputStream create() {
                return local.create();
            }

            @Override
            public org.apache.iceberg.io.PositionOutputStream createOrOverwrite() {
                return local.createOrOverwrite();
            }

            @Override
            public String location() {
                return fileLocation(location);
            }

            @Override
            public InputFile toInputFile() {
                return input(location);
            }
        };
    }

    /** A location as tables record it: {@code file:/...}. */
    private static String fileLocation(String location) {
        return location.startsWith("file:") ? location : location(Path.of(location));
    }

    @Override
    public void deleteFile(String location) {
        try {
            Files.deleteIfExists(path(location));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + location, e);
        }
    }

    @Override
    public Iterable<FileInfo> listPrefix(String prefix) {
        Path root = path(prefix);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(f -> {
                try {
                    return new FileInfo(location(f), Files.size(f), Files.getLastModifiedTime(f).toMillis());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + prefix, e);
        }
    }

    @Override
    public void deletePrefix(String prefix) {
        for (FileInfo f : listPrefix(prefix)) {
            deleteFile(f.location());
        }
    }
}
