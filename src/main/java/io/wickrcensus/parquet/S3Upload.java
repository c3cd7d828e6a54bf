package io.wickrcensus.parquet;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One object written as a stream: the bytes go up in parts of {@link #PART_BYTES} with a multipart
 * upload, so memory holds one part whatever the file's size; a file smaller than one part is a
 * single PUT. Nothing is visible under the key until {@link PositionOutputStream#close()} completes
 * the upload; a failure aborts it.
 */
final class S3Upload implements OutputFile {

    /** S3 takes parts of 5 MiB to 5 GiB (the last may be smaller) and 10,000 parts: 80 GB a file at this size. */
    static final int PART_BYTES = 8 << 20;

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private Stream stream;

    S3Upload(S3Client s3, String bucket, String key) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
    }

    String key() {
        return key;
    }

    /** Whether the object exists now: its upload completed. */
    boolean completed() {
        return stream != null && stream.completed;
    }

    /** Aborts the multipart upload if it is still open (a write that failed or was given up). */
    void abort() {
        if (stream != null) {
            stream.abort();
        }
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
        if (stream != null) {
            throw new IllegalStateException(key + " is already being written");
        }
        stream = new Stream();
        return stream;
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
        return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
        return false;
    }

    @Override
    public long defaultBlockSize() {
        return 0;
    }

    @Override
    public String getPath() {
        return "s3://" + bucket + "/" + key;
    }

    private final class Stream extends PositionOutputStream {
        private final byte[] buffer = new byte[PART_BYTES];
        private final List<CompletedPart> parts = new ArrayList<>();
        private int length;
        private long position;
        private String uploadId;
        private boolean closed;
        private boolean completed;
        /** Given up: nothing more goes up, and {@link #close()} makes nothing visible. */
        private boolean aborted;

        @Override
        public long getPos() {
            return position;
        }

        private void checkOpen() throws IOException {
            if (aborted || closed) {
                throw new IOException(getPath() + " was " + (aborted ? "given up" : "closed") + ": nothing more is written to it");
            }
        }

        @Override
        public void write(int b) throws IOException {
            checkOpen();
            if (length == buffer.length) {
                uploadPart();
            }
            buffer[length++] = (byte) b;
            position++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            checkOpen();
            while (len > 0) {
                if (length == buffer.length) {
                    uploadPart();
                }
                int n = Math.min(len, buffer.length - length);
                System.arraycopy(b, off, buffer, length, n);
                length += n;
                off += n;
                len -= n;
                position += n;
            }
        }

        private void uploadPart() throws IOException {
            try {
                if (uploadId == null) {
                    uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
                }
                int number = parts.size() + 1;
                int size = length;
                String etag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(number),
                        RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, size), size,
                                "application/octet-stream")).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                length = 0;
            } catch (SdkException e) {
                abort();
                throw new IOException("uploading " + getPath() + " failed: " + S3Store.message(e), e);
            }
        }

        /** Completes the upload: the object becomes visible. After {@link #abort()} it does nothing. */
        @Override
        public void close() throws IOException {
            if (closed || aborted) {
                closed = true;
                return;
            }
            closed = true;
            if (uploadId == null) {
                try {
                    s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(Arrays.copyOf(buffer, length)));
                } catch (SdkException e) {
                    throw new IOException("uploading " + getPath() + " failed: " + S3Store.message(e), e);
                }
            } else {
                if (length > 0) {
                    uploadPart();
                }
                try {
                    s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                            .multipartUpload(m -> m.parts(parts)));
                } catch (SdkException e) {
                    abort();
                    throw new IOException("completing the upload of " + getPath() + " failed: " + S3Store.message(e), e);
                }
            }
            completed = true;
        }

        /**
         * Gives the object up unless it completed: an open multipart upload is aborted, and a later
         * {@link #close()} puts nothing (not even what is buffered) under the key.
         */
        void abort() {
            if (completed) {
                return;
            }
            aborted = true;
            length = 0;
            if (uploadId != null) {
                String id = uploadId;
                uploadId = null;
                try {
                    s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(id));
                } catch (SdkException e) {
                    // the relaunch's recovery aborts what is left of it
                }
            }
        }
    }
}
