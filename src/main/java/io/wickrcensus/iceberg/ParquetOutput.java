package io.wickrcensus.iceberg;

import java.io.IOException;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/** An Iceberg output file as Parquet's writer takes one; it remembers the file's length once closed. */
final class ParquetOutput implements OutputFile {

    private final org.apache.iceberg.io.OutputFile file;
    private long bytes = -1;

    ParquetOutput(org.apache.iceberg.io.OutputFile file) {
        this.file = file;
    }

    String location() {
        return file.location();
    }

    /** The file's length, once the writer has closed it. */
    long bytes() {
        if (bytes < 0) {
            throw new IllegalStateException(file.location() + " is not closed");
        }
        return bytes;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
        return wrap(file.create());
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
        return wrap(file.createOrOverwrite());
    }

    private PositionOutputStream wrap(org.apache.iceberg.io.PositionOutputStream out) {
        return new PositionOutputStream() {
            @Override
            public long getPos() throws IOException {
                return out.getPos();
            }

            @Override
            public void write(int b) throws IOException {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                long pos = out.getPos();
                out.close();
                bytes = pos;
            }
        };
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
        return file.location();
    }

    /** An Iceberg input file as Parquet's reader takes one. */
    static org.apache.parquet.io.InputFile input(org.apache.iceberg.io.InputFile file) {
        return new org.apache.parquet.io.InputFile() {
            @Override
            public long getLength() {
                return file.getLength();
            }

            @Override
            public org.apache.parquet.io.SeekableInputStream newStream() {
                org.apache.iceberg.io.SeekableInputStream in = file.newStream();
                return new org.apache.parquet.io.DelegatingSeekableInputStream(in) {
                    @Override
                    public long getPos() throws IOException {
                        return in.getPos();
                    }

                    @Override
                    public void seek(long pos) throws IOException {
                        in.seek(pos);
                    }
                };
            }
        };
    }
}
