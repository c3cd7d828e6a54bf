package io.wickrcensus.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.S3Proxy;
import io.wickrcensus.testing.TestDatabases;
import io.wickrcensus.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Parquet datasets on S3, against S3Proxy (a real S3-compatible server with SigV4), read back
 * by DuckDB and compared with a local run's.
 */
class S3OutputTest {

    static S3Proxy s3;

    @BeforeAll
    static void server() {
        s3 = S3Proxy.get();
    }

    private static Path copy(String bucket, String prefix) throws Exception {
        return s3.download(bucket, prefix, TestFiles.dir("s3copy"));
    }

    private static List<String> under(String bucket, String prefix) {
        return s3.keys(bucket, prefix).stream().map(k -> k.substring(prefix.length())).toList();
    }

    @Test
    void aRunWritesTheSameDatasetsToS3AsToADirectoryAndALaterNightReplacesPartitionsWhole() throws Exception {
        String bucket = s3.newBucket();
        try (JobHarness h = new JobHarness(1200, 80)) {
            String db = TestDatabases.newDatabase("s3out");
            ParquetSettings onS3 = h.parquet.withS3(s3.target(bucket, "census/nightly"));
            for (String asOf : List.of("2026-11-20", "2026-11-21")) {
                assertThat(h.run(asOf)).isEqualTo(ExitCodes.OK);
                assertThat(h.run(h.builder(asOf).database(JobHarness.database(db)).parquet(onS3).build(), JobHarness.SECRET))
                        .isEqualTo(ExitCodes.OK);
                assertThat(JobHarness.parquetDigest(copy(bucket, "census/nightly")))
                        .as("night " + asOf + ": the objects on S3 read as the local datasets").isEqualTo(JobHarness.parquetDigest(h.outputDir));
                h.emulator.advanceDays(h.network, 1);
            }
            String runs = "census/nightly/runs/network_id=" + h.network + "/";
            List<String> files = under(bucket, runs);
            assertThat(files).as("the second run's files replaced the first's; the manifest lists exactly them")
                    .hasSize(2).contains("_SUCCESS").allMatch(n -> n.equals("_SUCCESS") || n.matches("part-00000-r2-[0-9a-f]{8}\\.zstd\\.parquet"));
            try (S3Client c = s3.client()) {
                String manifest = c.getObjectAsBytes(r -> r.bucket(bucket).key(runs + "_SUCCESS")).asUtf8String();
                assertThat(manifest).contains("\"schema_version\" : 1", "\"run_id\" : 2", "\"rows\" : 2",
                        "\"name\" : \"" + files.stream().filter(n -> n.startsWith("part-")).findFirst().orElseThrow() + "\"");
            }
            assertThat(s3.openUploads(bucket, "")).isEmpty();
            assertThat(s3.keys(bucket, "")).noneMatch(k -> k.contains("write-check"));

            // retracting the second night removes its users partition and rewrites the rest, on S3 as on a directory
            for (var target : List.of(Map.entry(h.dbUrl, h.parquet), Map.entry(db, onS3))) {
                assertThat(io.wickrcensus.job.CensusRetract.execute(JobHarness.database(target.getKey()),
                        io.wickrcensus.job.run.RunSettings.Roles.DEFAULT, target.getValue(), h.network,
                        java.time.LocalDate.parse("2026-11-21"), "a test", "tester")).isEqualTo(ExitCodes.OK);
            }
            assertThat(s3.keys(bucket, "census/nightly/users/network_id=" + h.network + "/snapshot_date=2026-11-21/")).isEmpty();
            assertThat(JobHarness.parquetDigest(copy(bucket, "census/nightly"))).as("after the retraction")
                    .isEqualTo(JobHarness.parquetDigest(h.outputDir));
        }
    }

    @Test
    void aRelaunchRemovesWhatACrashedWriteLeftAndAbortsItsUploads() throws Exception {
        String bucket = s3.newBucket();
        try (JobHarness h = new JobHarness(1500, 100)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            String db = TestDatabases.newDatabase("s3crash");
            Path log = TestFiles.log("census-s3crash");
            String[] toS3 = {"--output-dir", "s3://" + bucket + "/out"};
            // killed before the first guest partition's manifest (after the users'), its files up but listed by no manifest
            assertThat(JobHarness.await(h.launchChild(db, s3.env(), "2026-11-20", "parquet.before-swap.guest_users:1", log, toS3))).as(Files.readString(log))
                    .isEqualTo(137);
            String guests = "out/guest_users/network_id=" + h.network + "/billing_period=2026-10/";
            assertThat(under(bucket, guests)).as("the crashed write's file, listed by no manifest").hasSize(1).noneMatch(n -> n.equals("_SUCCESS"));
            String dangling;
            try (S3Client c = s3.client()) { // and what a kill in the middle of a multipart upload leaves
                dangling = c.createMultipartUpload(r -> r.bucket(bucket).key(guests + "part-00001-r1-deadbeef.zstd.parquet")).uploadId();
                c.uploadPart(r -> r.bucket(bucket).key(guests + "part-00001-r1-deadbeef.zstd.parquet").uploadId(dangling).partNumber(1),
                        RequestBody.fromString("half a file"));
            }
            assertThat(s3.openUploads(bucket, "out/")).hasSize(1);

            int relaunched = JobHarness.await(h.launchChild(db, s3.env(), "2026-11-20", null, log, toS3));
            String output = Files.readString(log);
            assertThat(relaunched).as(output).isEqualTo(ExitCodes.OK);
            assertThat(output).contains("1 multipart uploads aborted");
            assertThat(s3.openUploads(bucket, "")).isEmpty();
            assertThat(under(bucket, guests)).hasSize(2).contains("_SUCCESS");
            assertThat(JobHarness.parquetDigest(copy(bucket, "out"))).isEqualTo(JobHarness.parquetDigest(h.outputDir));
        }
    }

    @Test
    void recoveryKeepsWhatEachManifestListsAndDeletesTheRest() throws Exception {
        String bucket = s3.newBucket();
        String a = "part-00000-r1-aaaaaaaa.zstd.parquet";
        String b = "part-00000-r2-bbbbbbbb.zstd.parquet";
        String mixed = "p/users/network_id=net00001/snapshot_date=2026-11-19/";
        String clean = "p/users/network_id=net00001/snapshot_date=2026-11-20/";
        String unfinished = "p/guest_users/network_id=net00001/billing_period=2026-11/";
        String otherNetwork = "p/users/network_id=net00002/snapshot_date=2026-11-19/";
        byte[] manifest = new DatasetStore.Manifest("users", 1, "export", List.of(new DatasetStore.FileEntry(a, 1, 1))).toJson();
        try (S3Client c = s3.client()) {
            for (String partition : List.of(mixed, clean, otherNetwork)) {
                c.putObject(r -> r.bucket(bucket).key(partition + "_SUCCESS"), RequestBody.fromBytes(manifest));
                c.putObject(r -> r.bucket(bucket).key(partition + a), RequestBody.fromString("a"));
            }
            c.putObject(r -> r.bucket(bucket).key(mixed + b), RequestBody.fromString("b, of a write that never finished"));
            c.putObject(r -> r.bucket(bucket).key(otherNetwork + b), RequestBody.fromString("not this network's"));
            c.putObject(r -> r.bucket(bucket).key(unfinished + b), RequestBody.fromString("no manifest"));
        }
        try (S3Store store = new S3Store(s3.target(bucket, "p"), "net00001")) {
            store.recover(List.of("users/network_id=net00001", "guest_users/network_id=net00001"));
        }
        assertThat(s3.keys(bucket, "p/")).containsExactlyInAnyOrder(
                otherNetwork + "_SUCCESS", otherNetwork + a, otherNetwork + b,
                mixed + "_SUCCESS", mixed + a, clean + "_SUCCESS", clean + a);
        assertThat(PartitionWriter.writeTag(a)).isEqualTo("r1-aaaaaaaa");
        assertThat(PartitionWriter.writeTag("part-00000.zstd.parquet")).isNull();
    }

    /** The Iceberg tables go to S3 too, through Iceberg's S3FileIO on the job's own S3 client settings, and read back from there. */
    @Test
    void theIcebergTablesGoToS3TooAndReadBack() throws Exception {
        String bucket = s3.newBucket();
        try (JobHarness h = new JobHarness(300, 30)) {
            String db = TestDatabases.newDatabase("s3iceberg");
            Path log = TestFiles.log("census-s3iceberg");
            int code = JobHarness.await(h.launchChild(db, s3.env(), "2026-11-20", null, log, "--output-dir", "s3://" + bucket + "/data"));
            assertThat(code).as(Files.readString(log)).isEqualTo(ExitCodes.OK);
            assertThat(s3.keys(bucket, "data/iceberg/wickr_census/users/")).anyMatch(k -> k.contains("/data/network_id=" + h.network + "/"))
                    .anyMatch(k -> k.endsWith(".metadata.json"));
            System.setProperty("aws.accessKeyId", JobHarness.ACCESS_KEY);
            System.setProperty("aws.secretAccessKey", JobHarness.SECRET);
            try (io.wickrcensus.iceberg.Lake lake = JobHarness.lake(db, new FileRoot.Bucket(s3.target(bucket, "data").withChecksumsWhenRequired(true)))) {
                org.apache.iceberg.Table users = lake.table("users");
                assertThat(users.location()).startsWith("s3://" + bucket + "/data/iceberg/");
                long rows = 0;
                try (var r = org.apache.iceberg.data.IcebergGenerics.read(users).build()) {
                    for (var ignored : r) {
                        rows++;
                    }
                }
                assertThat(rows).isEqualTo(300);
                assertThat(users.refs()).containsKey(h.network + "@2026-11-20");
                // the users partition's files are the dataset's, copied on the server (CopyObject), not written twice
                try (var tasks = users.newScan().planFiles()) {
                    for (var task : tasks) {
                        String name = task.file().location().substring(task.file().location().lastIndexOf('/') + 1);
                        assertThat(name).matches("r\\d+-publish-part-\\d{5}-r\\d+-[0-9a-f]+\\.zstd\\.parquet");
                        assertThat(s3.keys(bucket, "data/users/network_id=" + h.network + "/snapshot_date=2026-11-20/"))
                                .anyMatch(k -> k.endsWith("/" + name.replaceFirst("^r\\d+-publish-", "")));
                    }
                }
            } finally {
                System.clearProperty("aws.accessKeyId");
                System.clearProperty("aws.secretAccessKey");
            }
        }
    }

    @Test
    void theNightlyReportsGoToS3TooWithTheirIndex() throws Exception {
        String bucket = s3.newBucket();
        try (JobHarness h = new JobHarness(300, 30)) {
            String db = TestDatabases.newDatabase("s3reports");
            Path log = TestFiles.log("census-s3reports");
            int code = JobHarness.await(h.launchChild(db, s3.env(), "2026-11-20", null, log,
                    "--output-dir", "s3://" + bucket + "/data", "--reports-dir", "s3://" + bucket + "/reports"));
            assertThat(code).as(Files.readString(log)).isEqualTo(ExitCodes.OK);
            assertThat(under(bucket, "reports/")).contains("index.html",
                    h.network + "/guest-billing-2026-10.csv", h.network + "/guest-billing-2026-11.html", h.network + "/audit-2026-11-20.json");
            try (S3Client c = s3.client()) {
                var index = c.getObject(r -> r.bucket(bucket).key("reports/index.html"));
                assertThat(index.response().contentType()).startsWith("text/html");
                assertThat(new String(index.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                        .contains("href=\"" + h.network + "/audit-2026-11-20.html\"");
                String csv = c.getObjectAsBytes(r -> r.bucket(bucket).key("reports/" + h.network + "/guest-billing-2026-10.csv")).asUtf8String();
                assertThat(csv.lines().filter(l -> l.startsWith("guest,"))).hasSize(30);
            }
            int denied = JobHarness.await(h.launchChild(TestDatabases.newDatabase("s3reports_missing"), s3.env(), "2026-11-20", null, log,
                    "--reports-dir", "s3://no-such-reports-bucket/x"));
            assertThat(denied).isEqualTo(ExitCodes.BAD_CONFIGURATION);
            assertThat(Files.readString(log)).contains("--reports-dir s3://no-such-reports-bucket/x cannot hold the reports: "
                    + "bucket no-such-reports-bucket does not exist");
        }
    }

    @Test
    void aMissingBucketOrDeniedAccessStopsTheRunBeforeAnyApiCall() throws Exception {
        String bucket = s3.newBucket();
        try (JobHarness h = new JobHarness(50, 5)) {
            h.emulator.resetStats();
            S3Target missing = s3.target("no-such-bucket-here", "x");
            S3Target denied = S3Target.parse("s3://" + bucket + "/x", new S3Target.Options("us-east-1", false, true))
                    .withEndpoint(s3.endpoint, StaticCredentialsProvider.create(AwsBasicCredentials.create(JobHarness.ACCESS_KEY, "wrong")));
            for (S3Target t : List.of(missing, denied)) {
                assertThat(h.run(h.builder("2026-11-20").parquet(h.parquet.withS3(t)).build(), JobHarness.SECRET))
                        .isEqualTo(ExitCodes.BAD_CONFIGURATION);
            }
            assertThat(h.parquet.withS3(missing).problem()).isEqualTo("bucket no-such-bucket-here does not exist");
            assertThat(h.parquet.withS3(denied).problem()).startsWith("access to bucket " + bucket + " is denied");
            assertThat(h.emulator.stats().values().stream().mapToLong(Long::longValue).sum()).as("API calls").isZero();
        }
    }
}
