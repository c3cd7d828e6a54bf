package io.wickrcensus.job.steps;

import io.wickrcensus.faults.CrashPoints;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemReader;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.support.ListItemReader;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Step 3, unames; one instance per step execution (step scope). Drains the run's
 * {@link UnameBacklog} (with the head start, most unames were looked up while staging paged), then streams the unames
 * the staged snapshot holds (users' {@code uname}, guests' {@code usernameHash}) that are still
 * unknown from a cursor (or, when the head start read every staged row, takes the ones it had not
 * looked up yet from it; on a later snapshot, every changed user's row, as long as the unchanged
 * users' unames are all known: {@link UnameResolver#unchangedKnownSince}), and resolves them in rounds, 50 per BatchLookupUserUname call, several
 * calls at once under one shared rate budget, the next round's calls sent before the previous
 * round's answers are written. Each round's answers are written in a chunk's transaction, so a
 * relaunch resumes with what is left; a call that still fails after its retries fails the step.
 */
public class UnamesTasklet implements Tasklet, StepExecutionListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UnamesTasklet.class);

    /**
     * Each staged slice of the run and its last seq (a slice's seqs run from 0: the index on (run, slice, seq) answers).
     * The users' last seq alone, with no count: one step down the index, where counting read every staged user (0.7 s at 1M).
     */
    private static final String STAGED_SLICES = """
            SELECT 'census.stage_user', NULL, m FROM (SELECT max(seq) AS m FROM census.stage_user WHERE run_id = ?) u WHERE m IS NOT NULL
            UNION ALL
            SELECT 'census.stage_guest', billing_period, max(seq) FROM census.stage_guest WHERE run_id = ? GROUP BY billing_period""";

    private final RunContext run;
    private final DataSource dataSource;
    private final UnameResolver resolver;
    private final UnameBacklog backlog;
    private final RunLedger ledger;
    private final int roundSize;

    private ItemReader<String> candidates;
    private ItemStreamReader<String> cursor;
    private ProgressLog progress;
    /** The round whose calls are under way, recorded by the next chunk. */
    private UnameResolver.Calls inFlight;
    /** What {@link UnameResolver#recordKnownSince} takes at the end: see there. */
    private Instant knewNoneAt;
    private Instant unchangedSince;

    public UnamesTasklet(RunContext run, DataSource dataSource, UnameResolver resolver, UnameBacklog backlog,
                         RunLedger ledger, int concurrency) {
        this.run = run;
        this.dataSource = dataSource;
        this.resolver = resolver;
        this.backlog = backlog;
        this.ledger = ledger;
        this.roundSize = DirectoryUnameResolver.CHUNK * concurrency * 4;
    }

    @Override
    public void beforeStep(StepExecution step) {
        // what the lookups during staging resolved is known before the rest is listed
        UnameBacklog.Leftover left = backlog.drain();
        knewNoneAt = left.knewNoneAt();
        unchangedSince = null;
        progress = new ProgressLog(log, "unames of network " + run.networkId(), 10_000);
        try {
            boolean covered = left.covers(stagedSlices());
            // a later snapshot's hand-over leaves out the unchanged users' unames: taken as known while their roster is
            if (covered && (!left.changedOnly() || (unchangedSince = resolver.unchangedKnownSince(run)) != null)) {
                if (left.changedOnly()) {
                    log.info("network {}: the head start read every changed user's row, and the other users' unames are all known since {};"
                            + " {} unames are left to look up", run.networkId(), unchangedSince, left.unknown().size());
                } else {
                    log.info("network {}: the head start read every staged row; {} unames are left to look up", run.networkId(),
                            left.unknown().size());
                }
                candidates = new ListItemReader<>(left.unknown());
                return;
            }
            log.info(covered ? "network {}: the unchanged users' unames may have grown stale since the roster they were listed against;"
                    + " the whole snapshot is read for unknown unames"
                    : "network {}: the head start did not read every staged row, or a lookup of it failed; the whole snapshot is"
                    + " read for unknown unames", run.networkId());
            cursor = resolver.unknownInSnapshot(run);
            candidates = cursor;
            cursor.open(new ExecutionContext());
        } catch (RuntimeException e) {
            close(); // its connection must not outlive a failed query (a database restart, the case a resume retries)
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new IllegalStateException("could not list the unames to resolve: " + root.getMessage(), e);
        }
    }

    /** The run's staged slices, as {@link UnameBacklog.Leftover#covers} takes them: each one's last seq + 1. */
    private Map<UnameBacklog.Slice, Long> stagedSlices() {
        Map<UnameBacklog.Slice, Long> staged = new HashMap<>();
        new JdbcTemplate(dataSource).query(STAGED_SLICES, rs -> {
            String period = rs.getString(2);
            staged.put(new UnameBacklog.Slice(rs.getString(1), period == null ? List.of(run.runId()) : List.of(run.runId(), period)),
                    rs.getLong(3) + 1);
        }, run.runId(), run.runId());
        return staged;
    }

    /**
     * Each chunk sends the next round's calls, then records the previous round's answers in its
     * transaction, so calls stay in flight while answers are written and the budget has no gap
     * between rounds. A crash loses only the answers of the round under way: their unames are still
     * unknown, and the relaunch looks them up again.
     */
    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        List<String> round = new ArrayList<>(roundSize);
        for (String u; round.size() < roundSize && (u = candidates.read()) != null; ) {
            round.add(u);
        }
        UnameResolver.Calls previous = inFlight;
        inFlight = round.isEmpty() ? null : resolver.submit(run, round);
        if (previous == null) {
            if (inFlight != null) {
                return RepeatStatus.CONTINUABLE;
            }
            // in the last round's transaction: Batch records the step complete before afterStep
            // runs, so counts written there were lost to a crash in between
            ledger.unameCounts(run.runId(), run.networkId());
            resolver.recordKnownSince(run, knewNoneAt, unchangedSince);
            return RepeatStatus.FINISHED;
        }
        resolver.record(run, previous);
        contribution.incrementWriteCount(previous.unames());
        progress.add(previous.unames(), -1);
        CrashPoints.reach("unames.round");
        return RepeatStatus.CONTINUABLE;
    }

    @Override
    public ExitStatus afterStep(StepExecution step) {
        close();
        if (progress != null) {
            log.info(progress.summary());
        }
        if (step.getStatus() != BatchStatus.COMPLETED) {
            ledger.unameCounts(run.runId(), run.networkId()); // what a failed step got done, for the ledger
        }
        return null;
    }

    /** Closes the cursor and gives back its connection; also called when the step scope ends. */
    @Override
    public void close() {
        if (inFlight != null) {
            inFlight.cancel(); // a step that failed or stopped: what was sent is looked up again on relaunch
            inFlight = null;
        }
        candidates = null;
        if (cursor != null) {
            try {
                cursor.close();
            } catch (RuntimeException e) {
                log.debug("closing the uname cursor: {}", e.getMessage());
            }
            cursor = null;
        }
    }
}
