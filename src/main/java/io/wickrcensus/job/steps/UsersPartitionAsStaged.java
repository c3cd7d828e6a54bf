package io.wickrcensus.job.steps;

import io.wickrcensus.api.model.User;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import io.wickrcensus.parquet.ParquetExporter;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users partition written while the users step stages, from each batch once it is committed,
 * on a thread of its own (a bounded queue between the two, so that memory holds a few batches):
 * on a night with few lookups the Parquet step then has nothing left to write for the users, where
 * writing them after staging was the tail's longest chain. The partition holds what publish will
 * make the roster, the last row staged of each user, only while every user is listed once: at the
 * first user listed a second time (the service's paging moved under a change), the write is given
 * up and the partition is written from staging as before ({@link ParquetHeadStart}). Like the other
 * head starts it keeps nothing across a crash, and any failure only gives it up.
 */
final class UsersPartitionAsStaged implements StagingTasklet.Alongside<User> {

    private static final Logger log = LoggerFactory.getLogger(UsersPartitionAsStaged.class);
    /** Marks the end of the staged batches in the queue. */
    private static final List<User> END = List.of();

    private final ParquetExporter exporter;
    private final RunContext run;
    private final RunLedger ledger;
    /** Two batches waiting at most (about 10,000 users); staging waits when the writer falls behind. */
    private final BlockingQueue<List<User>> batches = new ArrayBlockingQueue<>(2);
    /** False once the write is given up: later batches are not queued. */
    private volatile boolean open = true;
    /** The partition written, or null when it was given up; completed when the writer ends. */
    private final CompletableFuture<ParquetExporter.Prepared> written = new CompletableFuture<>();
    private volatile boolean completed;
    private Thread writer;
    private boolean ended;

    UsersPartitionAsStaged(ParquetExporter exporter, RunContext run, RunLedger ledger) {
        this.exporter = exporter;
        this.run = run;
        this.ledger = ledger;
    }

    @Override
    public synchronized void begin() {
        if (writer != null || ended) {
            return;
        }
        writer = new Thread(this::write, "parquet-as-staged-" + run.networkId());
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void committed(List<User> items) {
        if (!open || items.isEmpty()) {
            return; // given up already
        }
        try {
            batches.put(items);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void end(boolean stepCompleted) {
        synchronized (this) {
            if (ended) {
                return; // told once: the step's end, then the scope's close
            }
            ended = true;
            completed = stepCompleted;
            if (writer == null) {
                written.complete(null);
                return;
            }
        }
        if (open) {
            try {
                batches.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                writer.interrupt();
            }
        }
    }

    /** Waits for the writer: the partition, or null if it was given up (then nothing of it is left). */
    ParquetExporter.Prepared result() throws InterruptedException {
        try {
            return written.get();
        } catch (ExecutionException e) {
            return null; // not completed exceptionally: write() completes it with null
        }
    }

    /** Gives up the partition if written and not taken (the job ended without the Parquet step taking it). */
    void abandon() {
        end(false);
        written.thenAccept(p -> {
            if (p != null) {
                p.close();
            }
        });
    }

    private void write() {
        ParquetExporter.Prepared prepared = null;
        ParquetExporter.UsersAsListed users = null;
        String givenUp = null;
        try {
            prepared = exporter.openAhead(run.runId(), run.networkId());
            users = exporter.usersAsListed(prepared, run.networkId(), ledger.get(run.runId()).asOf());
            UserIds seen = new UserIds();
            for (List<User> batch = batches.take(); batch != END; batch = batches.take()) {
                for (User u : batch) {
                    if (!seen.add(u.userId())) {
                        givenUp = "a user was listed twice, so the partition is written from staging";
                        break;
                    }
                    users.add(u);
                }
                if (givenUp != null) {
                    break;
                }
            }
            if (givenUp == null && completed) {
                users.finish();
                written.complete(prepared);
                return;
            }
            if (givenUp == null) {
                givenUp = "the users step did not complete";
            }
        } catch (InterruptedException e) {
            givenUp = "interrupted";
        } catch (Exception | Error e) {
            givenUp = e.toString();
        }
        open = false;
        batches.clear(); // a staging thread waiting to put is let go; later batches are not queued
        log.info("the users partition is not written as staged: {}", givenUp);
        if (users != null) {
            users.abandon();
        }
        if (prepared != null) {
            prepared.close();
        }
        written.complete(null);
    }

    /**
     * User ids seen, as 64-bit hashes in an open-addressing table (8 bytes a user, not a string): a
     * collision of two ids only reads as a user listed twice, which gives the partition up.
     */
    static final class UserIds {
        private long[] slots = new long[1 << 12];
        private int size;

        /** Adds the id's hash; false if it was there already. */
        boolean add(String userId) {
            long h = hash(userId);
            if (h == 0) {
                h = 1; // 0 marks an empty slot
            }
            if (2 * (size + 1) > slots.length) {
                grow();
            }
            int mask = slots.length - 1;
            for (int i = (int) h & mask; ; i = (i + 1) & mask) {
                if (slots[i] == 0) {
                    slots[i] = h;
                    size++;
                    return true;
                }
                if (slots[i] == h) {
                    return false;
                }
            }
        }

        private void grow() {
            long[] old = slots;
            slots = new long[old.length * 2];
            int mask = slots.length - 1;
            for (long h : old) {
                if (h != 0) {
                    int i = (int) h & mask;
                    while (slots[i] != 0) {
                        i = (i + 1) & mask;
                    }
                    slots[i] = h;
                }
            }
        }

        /** FNV-1a over the chars, then a 64-bit finaliser (splitmix64) to spread the low bits the table indexes by. */
        static long hash(String s) {
            long h = 0xcbf29ce484222325L;
            if (s == null) {
                return h;
            }
            for (int i = 0; i < s.length(); i++) {
                h ^= s.charAt(i);
                h *= 0x100000001b3L;
            }
            h ^= h >>> 30;
            h *= 0xbf58476d1ce4e5b9L;
            h ^= h >>> 27;
            h *= 0x94d049bb133111ebL;
            return h ^ (h >>> 31);
        }
    }
}
