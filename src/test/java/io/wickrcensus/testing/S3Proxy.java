package io.wickrcensus.testing;

import io.wickrcensus.parquet.S3Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3-compatible server for the tests: S3Proxy ({@code org.gaul:s3proxy}, copied to
 * {@code target/s3proxy} by the build) in a child JVM, with SigV4 authentication and its
 * filesystem backend under {@code target/test-files}. One per test JVM, started on first use; it
 * takes the same access key and secret as the Wickr emulator of {@link JobHarness}, so a child run
 * signs both with the one default credentials chain, as in production.
 */
public final class S3Proxy {

    private static S3Proxy instance;

    public final URI endpoint;
    private final Process process;

    private S3Proxy(URI endpoint, Process process) {
        this.endpoint = endpoint;
        this.process = process;
    }

    /**
     * The server, started if it is not running yet. S3Proxy 2.6 does not take the SDK's default
     * trailing checksums (gaul/s3proxy#795): the job's clients send checksums only where S3
     * requires them whenever a custom endpoint is set ({@link #target}, {@link #env}), as they do
     * for an operator's S3-compatible store, and so does this class's own {@link #client}.
     */
    public static synchronized S3Proxy get() {
        if (instance == null) {
            try {
                instance = start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> instance.process.destroy()));
        }
        return instance;
    }

    private static S3Proxy start() throws IOException, InterruptedException {
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: the build copies it (mvn generate-test-resources)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = TestFiles.dir("s3proxy");
        Path blobs = Files.createDirectories(dir.resolve("blobs"));
        Path properties = dir.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + JobHarness.ACCESS_KEY,
                "s3proxy.credential=" + JobHarness.SECRET,
                // DeleteObjects carries the SDK's x-amz-checksum-crc32 (S3 requires a checksum there), which 2.6 does not know
                "s3proxy.ignore-unknown-headers=true",
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + blobs, ""));
        Path log = dir.resolve("s3proxy.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Djava.io.tmpdir=" + TestFiles.root(), "-jar", jar.toString(), "--properties", properties.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean listening = Await.until(java.time.Duration.ofSeconds(60), () -> {
            if (!p.isAlive()) {
                return true; // said below
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            }
        });
        if (!p.isAlive()) {
            throw new IllegalStateException("S3Proxy exited with " + p.exitValue() + ": " + Files.readString(log));
        }
        if (listening) {
            return new S3Proxy(URI.create("http://127.0.0.1:" + port), p);
        }
        p.destroyForcibly();
        throw new IllegalStateException("S3Proxy did not listen on " + port + " within 60 s: " + Files.readString(log));
    }

    public static AwsCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(JobHarness.ACCESS_KEY, JobHarness.SECRET));
    }

    public S3Client client() {
        return S3Client.builder().region(Region.US_EAST_1).credentialsProvider(credentials()).endpointOverride(endpoint)
                .forcePathStyle(true).httpClientBuilder(ApacheHttpClient.builder())
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED).build();
    }

    /** A new, empty bucket. */
    public String newBucket() {
        String bucket = "census-" + UUID.randomUUID().toString().substring(0, 13);
        try (S3Client s3 = client()) {
            s3.createBucket(r -> r.bucket(bucket));
        }
        return bucket;
    }

    /** Where an in-process run writes: {@code s3://bucket/prefix} on this server. */
    public S3Target target(String bucket, String prefix) {
        return S3Target.parse("s3://" + bucket + "/" + prefix, new S3Target.Options("us-east-1", false, true)).withEndpoint(endpoint, credentials());
    }

    /**
     * The environment a child run needs to write to this server, besides the credentials JobHarness
     * gives it: the endpoint and path-style addressing, as an operator sets them, and nothing about
     * checksums (the job sends them only where required once a custom endpoint is set).
     */
    public Map<String, String> env() {
        return Map.of("AWS_ENDPOINT_URL_S3", endpoint.toString(), "CENSUS_S3_PATH_STYLE", "true");
    }

    /** Every key under {@code prefix}, sorted. */
    public List<String> keys(String bucket, String prefix) {
        try (S3Client s3 = client()) {
            List<String> keys = new ArrayList<>();
            s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents().stream()
                    .filter(o -> !o.key().endsWith("/")).forEach(o -> keys.add(o.key())); // the filesystem backend lists its directories
            return keys.stream().sorted().toList();
        }
    }

    /** The multipart uploads still open under {@code prefix}. */
    public List<String> openUploads(String bucket, String prefix) {
        try (S3Client s3 = client()) {
            List<String> keys = new ArrayList<>();
            s3.listMultipartUploadsPaginator(r -> r.bucket(bucket).prefix(prefix)).uploads().forEach(u -> keys.add(u.key()));
            return keys;
        }
    }

    /** Copies every object under {@code prefix} into {@code dir}, keeping the key below the prefix as the path. */
    public Path download(String bucket, String prefix, Path dir) throws IOException {
        try (S3Client s3 = client()) {
            for (S3Object o : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix + "/")).contents()) {
                if (o.key().endsWith("/")) {
                    continue;
                }
                Path file = dir.resolve(o.key().substring(prefix.length() + 1));
                Files.createDirectories(file.getParent());
                Files.write(file, s3.getObjectAsBytes(r -> r.bucket(bucket).key(o.key())).asByteArray());
            }
        }
        return dir;
    }
}
