package io.wickrcensus.parquet;

import io.wickrcensus.support.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Where the job's files go, as an operator names it: a local (or mounted) directory, or an S3
 * prefix ({@code s3://BUCKET/PREFIX}). The one place that parses a location, checks that it can
 * take files before any API call, and opens it; the Parquet datasets ({@link DatasetStore}) and the
 * reports both go through it.
 */
public sealed interface FileRoot {

    /** A local (or mounted) directory. */
    record Directory(Path path) implements FileRoot {
        @Override
        public String problem() {
            return LocalStore.problem(path);
        }

        @Override
        public Open open() {
            Path abs = path.toAbsolutePath();
            return new Open() {
                @Override
                public void write(String relative, String content) throws IOException {
                    AtomicFile.write(abs.resolve(relative), false, w -> w.write(content));
                }

                @Override
                public java.util.Optional<String> read(String relative) throws IOException {
                    Path f = abs.resolve(relative);
                    return Files.isRegularFile(f) ? java.util.Optional.of(Files.readString(f, StandardCharsets.UTF_8)) : java.util.Optional.empty();
                }

                @Override
                public List<String> list() throws IOException {
                    if (!Files.isDirectory(abs)) {
                        return List.of();
                    }
                    try (Stream<Path> files = Files.walk(abs, 2)) {
                        return files.filter(Files::isRegularFile).map(f -> abs.relativize(f).toString().replace('\\', '/')).toList();
                    }
                }

                @Override
                public String describe(String relative) {
                    return abs.resolve(relative).toString();
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    /** An S3 prefix. */
    record Bucket(S3Target target) implements FileRoot {
        @Override
        public String problem() {
            return S3Store.problem(target);
        }

        @Override
        public Open open() {
            return new Open() {
                private S3Client client;

                private synchronized S3Client s3() {
                    if (client == null) {
                        client = target.client();
                    }
                    return client;
                }

                @Override
                public void write(String relative, String content) throws IOException {
                    // no charset parameter: the pages declare UTF-8 themselves, and S3Proxy's Jetty rewrites
                    // "text/html; charset=utf-8" after signing, which fails the signature
                    String type = relative.endsWith(".html") ? "text/html" : relative.endsWith(".json") ? "application/json" : "text/csv";
                    try {
                        s3().putObject(r -> r.bucket(target.bucket()).key(target.key(relative)).contentType(type),
                                RequestBody.fromBytes(content.getBytes(StandardCharsets.UTF_8)));
                    } catch (SdkException e) {
                        throw new IOException("writing " + describe(relative) + " failed: " + S3Store.message(e), e);
                    }
                }

                @Override
                public java.util.Optional<String> read(String relative) throws IOException {
                    try {
                        return java.util.Optional.of(s3().getObjectAsBytes(r -> r.bucket(target.bucket()).key(target.key(relative)))
                                .asString(StandardCharsets.UTF_8));
                    } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
                        return java.util.Optional.empty();
                    } catch (SdkException e) {
                        throw new IOException("reading " + describe(relative) + " failed: " + S3Store.message(e), e);
                    }
                }

                @Override
                public List<String> list() throws IOException {
                    String prefix = target.key("");
                    try {
                        List<String> out = new ArrayList<>();
                        s3().listObjectsV2Paginator(r -> r.bucket(target.bucket()).prefix(prefix)).contents()
                                .forEach(o -> out.add(o.key().substring(prefix.length())));
                        return out;
                    } catch (SdkException e) {
                        throw new IOException("listing " + target + " failed: " + S3Store.message(e), e);
                    }
                }

                @Override
                public String describe(String relative) {
                    return target + "/" + relative;
                }

                @Override
                public synchronized void close() {
                    if (client != null) {
                        client.close();
                        client = null;
                    }
                }
            };
        }

        @Override
        public String toString() {
            return target.toString();
        }
    }

    /**
     * The root {@code location} names: {@code s3://BUCKET/PREFIX} on S3, reached as {@code s3} says,
     * else a directory. Another URL scheme is refused: as a path it would become a directory named
     * after the scheme.
     */
    static FileRoot parse(String location, S3Target.Options s3) {
        if (S3Target.isS3(location)) {
            return new Bucket(S3Target.parse(location, s3));
        }
        if (S3Target.isOtherUrl(location)) {
            throw new IllegalArgumentException(location + " is a URL; files go to a local or mounted directory or to s3://BUCKET/PREFIX");
        }
        return new Directory(Path.of(location));
    }

    /** Null when the root can take new files, else why not in words ("bucket x does not exist"). */
    String problem();

    /** Opens the root for writing whole files (one S3 client until closed). */
    Open open();

    /** The root, open: whole files by their path relative to the root, with '/'. */
    interface Open extends AutoCloseable {
        /** Replaces the file atomically: readers see the old one or the new one (a rename in a directory, a PUT on S3). */
        void write(String relative, String content) throws IOException;

        /** The file's content, or empty when there is none. */
        java.util.Optional<String> read(String relative) throws IOException;

        /** Every file under the root (two levels deep in a directory), relative, with '/'. */
        List<String> list() throws IOException;

        /** Where {@code relative} is, for a log line. */
        String describe(String relative);

        @Override
        void close();
    }
}
