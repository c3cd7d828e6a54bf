package io.wickrcensus.job.steps;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads a source on a background thread into a bounded queue, so that fetching the next items (API
 * pages) overlaps with writing the previous ones (COPY into PostgreSQL). Memory stays bounded by
 * the queue's capacity. A failure of the source is rethrown to the consumer.
 */
public final class Prefetcher<T> implements AutoCloseable {

    private static final Object END = new Object();

    private final BlockingQueue<Object> queue;
    private final Thread thread;
    private volatile Throwable failure;
    private volatile boolean closed;
    private boolean ended;

    public Prefetcher(String name, Iterable<T> source, int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(() -> {
            try {
                Iterator<T> it = source.iterator();
                while (!closed && it.hasNext()) {
                    T item = it.next();
                    while (!closed && !queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                        // wait for the consumer
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                failure = t;
            } finally {
                try {
                    while (!closed && !queue.offer(END, 100, TimeUnit.MILLISECONDS)) {
                        // wait for the consumer
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Up to {@code max} items, blocking until at least one is there or the source ended. Empty at the end. */
    @SuppressWarnings("unchecked")
    public List<T> next(int max) throws InterruptedException {
        List<T> out = new ArrayList<>(Math.min(max, 10_000));
        if (ended) {
            return out;
        }
        Object first = queue.take();
        if (first == END) {
            ended = true;
            rethrow();
            return out;
        }
        out.add((T) first);
        while (out.size() < max) {
            Object o = queue.poll();
            if (o == null) {
                break;
            }
            if (o == END) {
                ended = true;
                rethrow();
                break;
            }
            out.add((T) o);
        }
        return out;
    }

    public boolean ended() {
        return ended;
    }

    private void rethrow() {
        Throwable t = failure;
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    /** How long {@link #close()} waits for the reading thread (a call under way ends by its own timeout). */
    static final long CLOSE_WAIT_MS = 30_000;

    /**
     * Stops the reading thread and waits for it (up to {@link #CLOSE_WAIT_MS}), so that nothing of
     * the source is read after the step that owned it ended.
     */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        if (thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(CLOSE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
