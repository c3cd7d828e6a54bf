package io.wickrcensus.emulator;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * One network's plain ListUsers listing (no filter, no sort, pages of {@code maxResults}) rendered
 * ahead into a file, page after page, as the live path renders it: a benchmark's emulator then
 * spends that CPU before the clock instead of on the cores the job is measured on. Served only
 * while the network is unchanged since ({@link SyntheticNetwork#version()}); any other request, or
 * one after a change, is rendered live. Thread-safe once built; close to delete the file.
 */
final class PrerenderedPages implements AutoCloseable {

    /** What one page of the listing, rendered, is: its bytes and the position the next page starts at (-1: the last). */
    record Page(byte[] body, long next) { }

    /** Renders the listing's page starting at a position. */
    interface Renderer {
        Page render(long start);
    }

    final long version;
    final boolean listBots;
    final int maxResults;
    private final Path file;
    private final FileChannel channel;
    private final long[] starts;
    private final long[] offsets;

    private PrerenderedPages(long version, boolean listBots, int maxResults, Path file, FileChannel channel, long[] starts, long[] offsets) {
        this.version = version;
        this.listBots = listBots;
        this.maxResults = maxResults;
        this.file = file;
        this.channel = channel;
        this.starts = starts;
        this.offsets = offsets;
    }

    /** Renders every page from position 0 into a temporary file, for the network as of {@code version}. */
    static PrerenderedPages render(long version, boolean listBots, int maxResults, Renderer renderer) throws IOException {
        Path file = Files.createTempFile("wickr-emulator-pages", ".bin");
        try {
            long[] starts = new long[16];
            long[] offsets = new long[17];
            int n = 0;
            long offset = 0;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                long start = 0;
                do {
                    Page page = renderer.render(start);
                    if (n == starts.length) {
                        starts = Arrays.copyOf(starts, n * 2);
                        offsets = Arrays.copyOf(offsets, n * 2 + 1);
                    }
                    starts[n] = start;
                    out.write(page.body());
                    offset += page.body().length;
                    offsets[++n] = offset;
                    start = page.next();
                } while (start >= 0);
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            return new PrerenderedPages(version, listBots, maxResults, file, channel, Arrays.copyOf(starts, n), Arrays.copyOf(offsets, n + 1));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /**
     * The page starting at {@code start}, as rendered; null when no page of this listing starts
     * there, or these pages were replaced (closed) meanwhile: the caller renders it live.
     */
    byte[] page(long start) {
        int k = Arrays.binarySearch(starts, start);
        if (k < 0) {
            return null;
        }
        byte[] body = new byte[(int) (offsets[k + 1] - offsets[k])];
        ByteBuffer into = ByteBuffer.wrap(body);
        try {
            while (into.hasRemaining()) {
                if (channel.read(into, offsets[k] + into.position()) < 0) {
                    throw new IOException("the pre-rendered pages in " + file + " end early");
                }
            }
        } catch (java.nio.channels.ClosedChannelException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return body;
    }

    @Override
    public void close() {
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a temporary file left behind is all that is lost
        }
    }
}
