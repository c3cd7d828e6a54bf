package io.wickrcensus.parquet;

import io.wickrcensus.faults.CrashPoints;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.parquet.io.OutputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Partitions on S3, which has no rename. A new version's files carry the writing run in their
 * names (never an object a reader may be reading), its {@code _SUCCESS} manifest is written last
 * and switches readers to it, and only then are the previous version's objects deleted. A relaunch
 * ({@link #recover}) aborts the network's dangling multipart uploads and deletes every object of a
 * partition that its manifest does not list: a crashed write's files, or a replaced version's.
 */
final class S3Store implements DatasetStore {

    private static final Logger log = LoggerFactory.getLogger(S3Store.class);

    private final S3Target target;
    private final String networkId;
    private final S3Client s3;

    S3Store(S3Target target, String networkId) {
        this.target = target;
        this.networkId = networkId;
        this.s3 = client(target);
    }

    static S3Client client(S3Target t) {
        S3ClientBuilder b = S3Client.builder()
                .region(Region.of(t.region()))
                .credentialsProvider(t.credentials() != null ? t.credentials() : DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(ApacheHttpClient.builder())
                .forcePathStyle(t.pathStyle());
        if (t.endpoint() != null) {
            b.endpointOverride(t.endpoint());
        }
        if (t.checksumsWhenRequired()) {
            b.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        return b.build();
    }

    /** The bucket exists, is in the region and takes a new object (written and deleted again); else why not. */
    static String problem(S3Target t) {
        try (S3Client s3 = client(t)) {
            s3.headBucket(r -> r.bucket(t.bucket()));
            String probe = t.key(".wickr-census-write-check-" + UUID.randomUUID());
            s3.putObject(r -> r.bucket(t.bucket()).key(probe), RequestBody.empty());
            s3.deleteObject(r -> r.bucket(t.bucket()).key(probe));
            return null;
        } catch (S3Exception e) {
            return describe(e, t);
        } catch (SdkException e) {
            return "S3 cannot be reached: " + message(e);
        }
    }

    /** An S3 error in a line an operator acts on. */
    static String describe(S3Exception e, S3Target t) {
        String region = e.awsErrorDetails() == null ? null
                : e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region").orElse(null);
        if (region != null && !region.equals(t.region())) {
            return "bucket " + t.bucket() + " is in region " + region + ", not " + t.region() + "; set CENSUS_S3_REGION=" + region;
        }
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        if (CHECKSUM_MISMATCH.equals(code)) {
            return checksumAdvice();
        }
        return switch (e.statusCode()) {
            case 404 -> "bucket " + t.bucket() + " does not exist";
            case 403 -> "access to bucket " + t.bucket() + " is denied" + (code == null ? "" : " (" + code + ")")
                    + "; check the credentials and the bucket's policy (the job lists, reads, writes and deletes objects under "
                    + t + "/)";
            case 301 -> "bucket " + t.bucket() + " is not in region " + t.region() + "; set CENSUS_S3_REGION to its region";
            default -> "S3 answered " + e.statusCode() + (code == null ? "" : " " + code) + " for bucket " + t.bucket();
        };
    }

    /** What an S3-compatible store answers when it does not take the SDK's default (flexible) checksums. */
    static final String CHECKSUM_MISMATCH = "XAmzContentSHA256Mismatch";

    /** The line that says what to do about {@link #CHECKSUM_MISMATCH}. */
    static String checksumAdvice() {
        return "the S3-compatible store refused the SDK's checksums (" + CHECKSUM_MISMATCH + "); set " + S3Target.REQUEST_CHECKSUMS
                + "=when_required and " + S3Target.RESPONSE_CHECKSUMS + "=when_required (the job does so itself when it knows of a "
                + "custom endpoint and neither is set)";
    }

    /** An S3 failure in words: the SDK's message, or for a refused checksum what to do about it. */
    public static String message(SdkException e) {
        return e instanceof S3Exception s3 && s3.awsErrorDetails() != null && CHECKSUM_MISMATCH.equals(s3.awsErrorDetails().errorCode())
                ? checksumAdvice() : e.getMessage();
    }

    @Override
    public void recover(List<String> networkDirs) throws IOException {
        try {
            int aborted = 0;
            int deleted = 0;
            for (String dir : networkDirs) {
                String prefix = target.key(dir) + "/";
                for (MultipartUpload u : s3.listMultipartUploadsPaginator(r -> r.bucket(target.bucket()).prefix(prefix)).uploads()) {
                    s3.abortMultipartUpload(r -> r.bucket(target.bucket()).key(u.key()).uploadId(u.uploadId()));
                    aborted++;
                }
                Map<String, List<String>> byPartition = new LinkedHashMap<>();
                for (S3Object o : list(prefix)) {
                    byPartition.computeIfAbsent(o.key().substring(0, o.key().lastIndexOf('/') + 1), k -> new ArrayList<>()).add(o.key());
                }
                for (var e : byPartition.entrySet()) {
                    deleted += deleteUnlisted(e.getKey(), e.getValue());
                }
            }
            if (aborted + deleted > 0) {
                log.info("network {}: removed what an interrupted write left on {}: {} multipart uploads aborted, {} objects deleted",
                        networkId, target, aborted, deleted);
            }
        } catch (SdkException e) {
            throw new IOException("cleaning up " + target + " for network " + networkId + " failed: " + message(e), e);
        }
    }

    /**
     * Deletes the partition's objects that its manifest does not list (all of them when it has
     * none). The manifest is read only when the files come from more than one write (their names'
     * tags differ): a partition as a finished write left it holds one write's files, and it is
     * the one its manifest lists, so a night's recovery costs a listing, not a read per partition.
     */
    private int deleteUnlisted(String partitionPrefix, List<String> keys) {
        String manifestKey = partitionPrefix + Manifest.NAME;
        if (!keys.contains(manifestKey)) {
            delete(keys);
            return keys.size();
        }
        List<String> files = keys.stream().filter(k -> !k.equals(manifestKey)).toList();
        if (files.stream().map(k -> PartitionWriter.writeTag(k.substring(partitionPrefix.length()))).distinct().count() == 1
                && PartitionWriter.writeTag(files.get(0).substring(partitionPrefix.length())) != null) {
            return 0;
        }
        byte[] manifest = s3.getObjectAsBytes(r -> r.bucket(target.bucket()).key(manifestKey)).asByteArray();
        return deleteUnlisted(partitionPrefix, files, Manifest.fileNames(manifest));
    }

    /** Deletes those of {@code files} (keys) whose names {@code listed} does not hold. */
    private int deleteUnlisted(String partitionPrefix, List<String> files, List<String> listed) {
        Set<String> keep = new HashSet<>();
        listed.forEach(n -> keep.add(partitionPrefix + n));
        List<String> doomed = files.stream().filter(k -> !keep.contains(k) && !k.equals(partitionPrefix + Manifest.NAME)).toList();
        delete(doomed);
        return doomed.size();
    }

    /** The objects under {@code prefix}, without "folder" markers (keys ending in '/', as the S3 console and some stores make). */
    private List<S3Object> list(String prefix) {
        List<S3Object> all = new ArrayList<>();
        s3.listObjectsV2Paginator(r -> r.bucket(target.bucket()).prefix(prefix)).contents().stream()
                .filter(o -> !o.key().endsWith("/")).forEach(all::add);
        return all;
    }

    private void delete(List<String> keys) {
        for (int i = 0; i < keys.size(); i += 1000) {
            List<ObjectIdentifier> batch = keys.subList(i, Math.min(keys.size(), i + 1000)).stream()
                    .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
            var response = s3.deleteObjects(r -> r.bucket(target.bucket()).delete(d -> d.objects(batch).quiet(true)));
            if (response.hasErrors() && !response.errors().isEmpty()) {
                var first = response.errors().get(0);
                throw S3Exception.builder().message("deleting " + first.key() + " failed: " + first.code() + " " + first.message()).build();
            }
        }
    }

    @Override
    public Write begin(String partition) {
        String prefix = target.key(partition) + "/";
        List<S3Upload> uploads = new ArrayList<>();
        return new Write() {
            @Override
            public OutputFile file(String name) {
                S3Upload upload = new S3Upload(s3, target.bucket(), prefix + name);
                uploads.add(upload);
                return upload;
            }

            @Override
            public void keep(String name) {
                // the object stays where it is: the new manifest lists it, so no clean-up deletes it
            }

            @Override
            public void commit(Manifest manifest) throws IOException {
                CrashPoints.reach("parquet.before-swap");
                CrashPoints.reach("parquet.before-swap." + manifest.dataset()); // one dataset's, whatever the others' order
                try {
                    s3.putObject(r -> r.bucket(target.bucket()).key(prefix + Manifest.NAME), RequestBody.fromBytes(manifest.toJson()));
                    CrashPoints.reach("parquet.after-manifest");
                    deleteUnlisted(prefix, list(prefix).stream().map(S3Object::key).toList(),
                            manifest.files().stream().map(FileEntry::name).toList());
                } catch (SdkException e) {
                    throw new IOException("publishing " + target + "/" + partition + " failed: " + message(e), e);
                }
            }

            @Override
            public void abandon() {
                uploads.forEach(S3Upload::abort);
                try {
                    delete(uploads.stream().filter(S3Upload::completed).map(S3Upload::key).toList());
                } catch (SdkException e) {
                    // the relaunch's recovery deletes them: no manifest lists them
                }
            }
        };
    }

    @Override
    public Manifest current(String partition) throws IOException {
        try {
            return Manifest.parse(s3.getObjectAsBytes(r -> r.bucket(target.bucket()).key(target.key(partition) + "/" + Manifest.NAME))
                    .asByteArray());
        } catch (NoSuchKeyException e) {
            return null;
        } catch (SdkException e) {
            throw new IOException("reading the manifest of " + target + "/" + partition + " failed: " + message(e), e);
        }
    }

    @Override
    public void copy(String partition, String name, String to) throws IOException {
        if (!to.startsWith("s3://") || to.indexOf('/', "s3://".length()) < 0) {
            throw new IOException("cannot copy " + name + " from S3 to " + to);
        }
        String bucket = to.substring("s3://".length(), to.indexOf('/', "s3://".length()));
        String key = to.substring(to.indexOf('/', "s3://".length()) + 1);
        try {
            s3.copyObject(r -> r.sourceBucket(target.bucket()).sourceKey(target.key(partition) + "/" + name)
                    .destinationBucket(bucket).destinationKey(key));
        } catch (SdkException e) {
            throw new IOException("copying " + target + "/" + partition + "/" + name + " to " + to + " failed: " + message(e), e);
        }
    }

    @Override
    public void remove(String partition) throws IOException {
        String prefix = target.key(partition) + "/";
        try {
            s3.deleteObject(r -> r.bucket(target.bucket()).key(prefix + Manifest.NAME)); // readers following manifests see it gone
            delete(list(prefix).stream().map(S3Object::key).toList());
        } catch (NoSuchKeyException e) {
            // nothing to remove
        } catch (SdkException e) {
            throw new IOException("removing " + target + "/" + partition + " failed: " + message(e), e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }
}
