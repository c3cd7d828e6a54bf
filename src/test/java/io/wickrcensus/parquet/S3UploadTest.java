package io.wickrcensus.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wickrcensus.testing.S3Proxy;
import java.io.IOException;
import org.apache.parquet.io.PositionOutputStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/** An object given up is never made visible, against S3Proxy: not as a whole object, not as a part. */
class S3UploadTest {

    private static final S3Proxy s3 = S3Proxy.get();

    @Test
    void anUploadGivenUpAfterItsFirstPartPutsNothingWhenItsStreamIsClosed() throws Exception {
        String bucket = s3.newBucket();
        try (S3Client c = s3.client()) {
            S3Upload upload = new S3Upload(c, bucket, "ds/part-0.parquet");
            PositionOutputStream out = upload.create(0);
            out.write(new byte[S3Upload.PART_BYTES + 1000]); // one part sent, 1,000 bytes buffered
            assertThat(s3.openUploads(bucket, "")).hasSize(1);

            upload.abort();
            out.close(); // a writer's try-with-resources closes the stream after the failure

            assertThat(s3.keys(bucket, "")).as("no partial object under the key").isEmpty();
            assertThat(s3.openUploads(bucket, "")).isEmpty();
            assertThat(upload.completed()).isFalse();
            assertThatThrownBy(() -> out.write(1)).isInstanceOf(IOException.class).hasMessageContaining("given up");
        }
    }

    @Test
    void aSmallUploadGivenUpPutsNothingAndACompletedOneStays() throws Exception {
        String bucket = s3.newBucket();
        try (S3Client c = s3.client()) {
            S3Upload given = new S3Upload(c, bucket, "ds/given-up.parquet");
            PositionOutputStream out = given.create(0);
            out.write(new byte[100]);
            given.abort();
            out.close();

            S3Upload kept = new S3Upload(c, bucket, "ds/kept.parquet");
            try (PositionOutputStream k = kept.create(0)) {
                k.write(new byte[100]);
            }
            kept.abort(); // too late: it completed

            assertThat(s3.keys(bucket, "")).containsExactly("ds/kept.parquet");
        }
    }
}
