package io.wickrcensus.job.steps;

import io.wickrcensus.job.RunMetrics;
import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.api.model.BatchLookupUserUnameResponse;
import io.wickrcensus.job.AdaptiveRateLimiter;
import io.wickrcensus.job.CrashPoints;
import io.wickrcensus.job.Prefetcher;
import io.wickrcensus.job.ProgressLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Step 3, unames: resolves the unames the staged snapshot holds (users' {@code uname}, guests'
 * {@code usernameHash}) that the directory has not resolved within the freshness window and that
 * this run has not already tried, 50 per BatchLookupUserUname call, several calls at once under
 * one shared rate budget. Each round's results are written in the step's transaction, so a
 * relaunch resumes with what is left; a call that still fails after its retries fails the step.
 */
public class UnamesTasklet implements Tasklet, StepExecutionListener {

    private static final Logger log = LoggerFactory.getLogger(UnamesTasklet.class);
    static final int CHUNK = WickrAdminClient.MAX_BATCH_ITEMS;

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final WickrAdminClient client;
    private final ExecutorService callers;
    private final int concurrency;
    private final AdaptiveRateLimiter limiter;
    private final Duration freshness;
    private final RunMetrics metrics;
    private final Map<Long, State> states = new ConcurrentHashMap<>();

    private record State(Connection cursorConnection, Prefetcher<String> candidates, ProgressLog progress) { }

    public UnamesTasklet(DataSource dataSource, WickrAdminClient client, ExecutorService callers, int concurrency,
                         AdaptiveRateLimiter limiter, Duration freshness, RunMetrics metrics) {
        this.metrics = metrics;
        this.dataSource = dataSource;
        this.jdbc = new JdbcTemplate(dataSource);
        this.client = client;
        this.callers = callers;
        this.concurrency = concurrency;
        this.limiter = limiter;
        this.freshness = freshness;
    }

    @Override
    public void beforeStep(StepExecution step) {
        RunContext run = RunContext.of(step);
        try {
            Connection c = dataSource.getConnection();
            c.setAutoCommit(false); // a server-side cursor streams the candidates
            PreparedStatement ps = c.prepareStatement("""
                    SELECT s.u FROM (
                        SELECT uname AS u FROM census.stage_user WHERE run_id = ? AND uname IS NOT NULL
                        UNION
                        SELECT username_hash FROM census.stage_guest WHERE run_id = ?
                    ) s
                    WHERE NOT EXISTS (SELECT 1 FROM census.uname_directory d
                                      WHERE d.network_id = ? AND d.uname = s.u
                                        AND d.last_resolved_at > now() - make_interval(secs => ?))
                      -- a lookup that failed (this run, or within the window: the service said it cannot resolve it) is not paid again
                      AND NOT EXISTS (SELECT 1 FROM census.uname_lookup_failure f JOIN census.run r ON r.run_id = f.run_id
                                      WHERE f.uname = s.u AND r.network_id = ?
                                        AND (f.run_id = ? OR f.failed_at > now() - make_interval(secs => ?)))
                    """);
            ps.setLong(1, run.runId());
            ps.setLong(2, run.runId());
            ps.setString(3, run.networkId());
            ps.setDouble(4, freshness.toSeconds());
            ps.setString(5, run.networkId());
            ps.setLong(6, run.runId());
            ps.setDouble(7, freshness.toSeconds());
            ps.setFetchSize(10_000);
            ResultSet rs = ps.executeQuery();
            Iterable<String> rows = () -> new Iterator<>() {
                private Boolean has;

                @Override
                public boolean hasNext() {
                    try {
                        if (has == null) {
                            has = rs.next();
                        }
                        return has;
                    } catch (SQLException e) {
                        throw new IllegalStateException("reading the unames to resolve failed: " + e.getMessage(), e);
                    }
                }

                @Override
                public String next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    has = null;
                    try {
                        return rs.getString(1);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            states.put(step.getId(), new State(c, new Prefetcher<>("unames of network " + run.networkId(), rows, 20_000),
                    new ProgressLog(log, "unames of network " + run.networkId(), 10_000)));
        } catch (SQLException e) {
            throw new IllegalStateException("could not list the unames to resolve: " + e.getMessage(), e);
        }
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        StepExecution step = contribution.getStepExecution();
        RunContext run = RunContext.of(step);
        State state = states.get(step.getId());
        List<String> round = state.candidates().next(CHUNK * concurrency * 4);
        if (round.isEmpty()) {
            return RepeatStatus.FINISHED;
        }
        List<Future<BatchLookupUserUnameResponse>> calls = new ArrayList<>();
        for (int from = 0; from < round.size(); from += CHUNK) {
            List<String> chunk = List.copyOf(round.subList(from, Math.min(round.size(), from + CHUNK)));
            calls.add(callers.submit(() -> {
                limiter.acquire();
                BatchLookupUserUnameResponse r = client.batchLookupUserUname(run.networkId(), chunk, null);
                limiter.succeeded();
                return r;
            }));
        }
        List<Object[]> resolved = new ArrayList<>();
        List<Object[]> failed = new ArrayList<>();
        try {
            for (Future<BatchLookupUserUnameResponse> f : calls) {
                BatchLookupUserUnameResponse r = f.get();
                r.successful().forEach(s -> resolved.add(new Object[] {run.networkId(), s.uname(), s.username(), run.runId()}));
                r.failed().forEach(x -> failed.add(new Object[] {run.runId(), x.uname(), x.field(), x.reason()}));
            }
        } catch (ExecutionException e) {
            calls.forEach(f -> f.cancel(true));
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
        jdbc.batchUpdate("""
                INSERT INTO census.uname_directory (network_id, uname, username, first_resolved_at, last_resolved_at, last_run_id)
                VALUES (?, ?, ?, now(), now(), ?)
                ON CONFLICT (network_id, uname) DO UPDATE
                   SET username = EXCLUDED.username, last_resolved_at = EXCLUDED.last_resolved_at, last_run_id = EXCLUDED.last_run_id""",
                resolved);
        jdbc.batchUpdate("""
                INSERT INTO census.uname_lookup_failure (run_id, uname, field, reason) VALUES (?, ?, ?, ?)
                ON CONFLICT (run_id, uname) DO UPDATE SET field = EXCLUDED.field, reason = EXCLUDED.reason, failed_at = now()""",
                failed);
        contribution.incrementWriteCount(round.size());
        metrics.rows("uname_directory", resolved.size());
        metrics.rows("uname_lookup_failure", failed.size());
        state.progress().add(round.size(), -1);
        CrashPoints.reach("unames.round");
        return RepeatStatus.CONTINUABLE;
    }

    @Override
    public ExitStatus afterStep(StepExecution step) {
        State state = states.remove(step.getId());
        if (state != null) {
            state.candidates().close();
            try {
                state.cursorConnection().rollback();
                state.cursorConnection().close();
            } catch (SQLException e) {
                log.debug("closing the uname cursor: {}", e.getMessage());
            }
            log.info(state.progress().summary());
        }
        RunContext run = RunContext.of(step);
        jdbc.update("""
                UPDATE census.run SET
                  unames_resolved = (SELECT count(*) FROM census.uname_directory WHERE network_id = ? AND last_run_id = ?),
                  unames_failed = (SELECT count(*) FROM census.uname_lookup_failure WHERE run_id = ?)
                WHERE run_id = ?""", run.networkId(), run.runId(), run.runId(), run.runId());
        return null;
    }
}
