package io.wickrcensus.job.steps;

import io.wickrcensus.job.CrashPoints;
import io.wickrcensus.job.Prefetcher;
import io.wickrcensus.job.ProgressLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
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
 * one shared rate budget; most were looked up already while staging paged ({@link EarlyUnameLookups}),
 * and this step takes what is left. Each round's results are written in the step's transaction, so a
 * relaunch resumes with what is left; a call that still fails after its retries fails the step.
 */
public class UnamesTasklet implements Tasklet, StepExecutionListener {

    private static final Logger log = LoggerFactory.getLogger(UnamesTasklet.class);
    static final int CHUNK = UnameLookups.CHUNK;

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final UnameLookups lookups;
    private final EarlyUnameLookups early;
    private final int concurrency;
    private final Map<Long, State> states = new ConcurrentHashMap<>();

    private record State(Connection cursorConnection, Prefetcher<String> candidates, ProgressLog progress) { }

    public UnamesTasklet(DataSource dataSource, UnameLookups lookups, EarlyUnameLookups early, int concurrency) {
        this.dataSource = dataSource;
        this.jdbc = new JdbcTemplate(dataSource);
        this.lookups = lookups;
        this.early = early;
        this.concurrency = concurrency;
    }

    @Override
    public void beforeStep(StepExecution step) {
        RunContext run = RunContext.of(step);
        early.drain(run); // what the lookups during staging resolved is known before the rest is listed
        try {
            Connection c = dataSource.getConnection();
            c.setAutoCommit(false); // a server-side cursor streams the candidates
            PreparedStatement ps = c.prepareStatement("""
                    SELECT s.u FROM (
                        SELECT uname AS u FROM census.stage_user WHERE run_id = ? AND uname IS NOT NULL
                        UNION
                        SELECT username_hash FROM census.stage_guest WHERE run_id = ?
                    ) s
                    WHERE """ + UnameLookups.unknownCondition("s.u"));
            ps.setLong(1, run.runId());
            ps.setLong(2, run.runId());
            lookups.bindUnknown(ps, 3, run);
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
        lookups.record(run, lookups.submit(run, round));
        contribution.incrementWriteCount(round.size());
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
