package io.wickrcensus.job.steps;

import io.wickrcensus.job.RunMetrics;
import io.wickrcensus.job.CrashPoints;
import io.wickrcensus.job.PgCopy;
import io.wickrcensus.job.Prefetcher;
import io.wickrcensus.job.ProgressLog;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.springframework.jdbc.datasource.DataSourceUtils;

/**
 * Pages an API listing into a staging table. Each step execution starts its staging slice afresh
 * (a nextToken is never trusted across a restart) and streams pages through a prefetching thread,
 * so API calls overlap with COPY; each {@code execute} writes one batch of rows in the step's own
 * transaction and asks to be called again until the listing ends.
 *
 * @param <T> the item type of the listing
 */
public abstract class StagingTasklet<T> implements Tasklet, StepExecutionListener {

    private static final Logger log = LoggerFactory.getLogger(StagingTasklet.class);

    private final DataSource dataSource;
    protected final JdbcTemplate jdbc;
    private final int batchRows;
    private final RunMetrics metrics;
    private final EarlyUnameLookups early;
    private final Map<Long, State<T>> states = new ConcurrentHashMap<>();

    private record State<T>(Prefetcher<T> source, ProgressLog progress, long[] seq, long expected, Object[] prefix) { }

    protected StagingTasklet(DataSource dataSource, int batchRows, RunMetrics metrics, EarlyUnameLookups early) {
        this.metrics = metrics;
        this.early = early;
        this.dataSource = dataSource;
        this.jdbc = new JdbcTemplate(dataSource);
        this.batchRows = batchRows;
    }

    /** What this step stages, for logs. */
    protected abstract String describe(StepExecution step);

    /** Deletes this step's slice of staging. */
    protected abstract void clear(StepExecution step);

    /** The listing to page through. */
    protected abstract Iterable<T> source(StepExecution step);

    /** How many items the listing should hold, or -1. */
    protected long expected(StepExecution step) {
        return -1;
    }

    /** The name under which {@link CrashPoints} can stop this step after a batch is written, before it commits. */
    protected abstract String crashPoint();

    /** {@code table (columns)} for COPY: the prefix columns, then {@code seq}, then the item's columns. */
    protected abstract String copyTarget();

    /** The values every row of this step execution starts with (such as the run id), computed once. */
    protected abstract Object[] rowPrefix(StepExecution step);

    /** Whether this step's unames can repeat across its partitions (guests of several periods). */
    protected boolean unamesRecur() {
        return false;
    }

    /** The uname an item holds (null if none), offered to the early lookups once its batch is copied. */
    protected abstract String uname(T item);

    /** Appends the item's own columns to the row. */
    protected abstract void row(PgCopy copy, T item);

    @Override
    public void beforeStep(StepExecution step) {
        clear(step);
        String what = describe(step);
        states.put(step.getId(), new State<>(new Prefetcher<>(what, source(step), 4 * batchRows),
                new ProgressLog(log, what, 10_000), new long[1], expected(step), rowPrefix(step)));
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) throws Exception {
        StepExecution step = contribution.getStepExecution();
        State<T> state = states.get(step.getId());
        List<T> items = state.source().next(batchRows);
        if (!items.isEmpty()) {
            PgCopy copy = new PgCopy();
            for (T item : items) {
                for (Object v : state.prefix()) {
                    copy.value(v);
                }
                copy.value(state.seq()[0]++);
                row(copy, item);
                copy.endRow();
            }
            Connection c = DataSourceUtils.getConnection(dataSource);
            try {
                copy.copyInto(c, copyTarget());
            } finally {
                DataSourceUtils.releaseConnection(c, dataSource);
            }
            contribution.incrementWriteCount(items.size());
            metrics.rows(copyTarget().substring("census.".length()).split(" ")[0], items.size());
            List<String> unames = new ArrayList<>(items.size());
            for (T item : items) {
                unames.add(uname(item));
            }
            early.offer(RunContext.of(step), unames, unamesRecur());
            state.progress().add(items.size(), state.expected());
            CrashPoints.reach(crashPoint());
        }
        return state.source().ended() ? RepeatStatus.FINISHED : RepeatStatus.CONTINUABLE;
    }

    @Override
    public ExitStatus afterStep(StepExecution step) {
        State<T> state = states.remove(step.getId());
        if (state != null) {
            state.source().close();
            log.info(state.progress().summary());
        }
        return null;
    }
}
