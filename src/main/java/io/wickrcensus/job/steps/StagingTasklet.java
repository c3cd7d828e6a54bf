package io.wickrcensus.job.steps;

import io.wickrcensus.db.PgCopy;
import io.wickrcensus.faults.CrashPoints;
import io.wickrcensus.job.run.RunMetrics;
import java.sql.Connection;
import java.util.List;
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
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Pages a {@link StagedSource} into its staging slice; one instance per step execution (step
 * scope). Each execution starts its slice afresh (a nextToken is never trusted across a restart)
 * and streams pages through a prefetching thread, so API calls overlap with COPY; each
 * {@code execute} writes one batch of rows in the step's own transaction and asks to be called
 * again until the listing ends; where the source keeps a list of {@link StagedChanges}, the batch's
 * changes are listed in the same transaction. Each batch, once committed, is told to the step's
 * {@link StagingListener}s (the head starts beside staging, when the job has them).
 *
 * @param <T> the item type of the listing
 */
public class StagingTasklet<T> implements Tasklet, StepExecutionListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StagingTasklet.class);

    private final StagedSource<T> source;
    private final DataSource dataSource;
    /** Joins the step's transaction where there is one (its connection is the transaction's). */
    private final JdbcTemplate jdbc;
    private final int batchRows;
    private final RunMetrics metrics;
    private final List<StagingListener<? super T>> listeners;

    private Prefetcher<T> pages;
    private ProgressLog progress;
    private long expected = -1;
    private long seq;
    /** The keys of the items staged (where the source has a key), and whether one came twice. */
    private KeySet keys;
    private boolean repeated;
    private boolean toldEnd;

    public StagingTasklet(StagedSource<T> source, DataSource dataSource, int batchRows, RunMetrics metrics,
                          List<StagingListener<? super T>> listeners) {
        this.source = source;
        this.dataSource = dataSource;
        this.jdbc = new JdbcTemplate(dataSource);
        this.batchRows = batchRows;
        this.metrics = metrics;
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public void beforeStep(StepExecution step) {
        jdbc.update(source.deleteSql(), source.sliceValues().toArray());
        if (source.changes() != null) {
            source.changes().begin(jdbc);
        }
        progress = new ProgressLog(log, source.description(), 10_000);
        keys = source.key() == null ? null : new KeySet();
        repeated = false;
        listeners.forEach(StagingListener::begin);
        // the service's counts first, then paging: reconcile judges the roster between this reading and
        // its own, so this one must come before any page (one call's latency on the critical path)
        expected = source.expected().getAsLong();
        pages = new Prefetcher<>(source.description(), source.pages().get(), 4 * batchRows);
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) throws Exception {
        List<T> items = pages.next(batchRows);
        if (!items.isEmpty()) {
            PgCopy copy = new PgCopy();
            long from = seq;
            for (T item : items) {
                if (keys != null && !keys.add(source.key().apply(item))) {
                    repeated = true;
                }
                for (Object v : source.sliceValues()) {
                    copy.value(v);
                }
                copy.value(seq++);
                for (StagedSource.Column<T> c : source.columns()) {
                    copy.value(c.value().apply(item));
                }
                copy.endRow();
            }
            Connection c = DataSourceUtils.getConnection(dataSource);
            try {
                copy.copyInto(c, source.copyTarget());
            } finally {
                DataSourceUtils.releaseConnection(c, dataSource);
            }
            if (source.changes() != null) {
                source.changes().batch(jdbc, from, seq); // in the step's transaction, with the COPY
            }
            contribution.incrementWriteCount(items.size());
            metrics.rows(source.tableName(), items.size());
            StagedRows rows = source.rows(from, seq);
            afterCommit(() -> listeners.forEach(l -> l.committed(rows, items)));
            progress.add(items.size(), expected);
            CrashPoints.reach(source.crashPoint());
        }
        if (!pages.ended()) {
            return RepeatStatus.CONTINUABLE;
        }
        if (keys != null && !repeated && source.changes() != null) {
            // in the last batch's transaction: Batch records the step complete before afterStep runs
            source.changes().listedOnce(jdbc);
        }
        return RepeatStatus.FINISHED;
    }

    /** Runs {@code r} once the step's transaction has committed (the rows are visible to other connections). */
    private static void afterCommit(Runnable r) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            r.run(); // no transaction around the tasklet: what it wrote is committed already
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                r.run();
            }
        });
    }

    @Override
    public ExitStatus afterStep(StepExecution step) {
        tellEnd(step.getStatus() == BatchStatus.COMPLETED && keys != null && !repeated);
        close();
        if (progress != null) {
            log.info(progress.summary());
        }
        return null;
    }

    /** Tells the listeners the step's end, once. */
    private void tellEnd(boolean whole) {
        if (!toldEnd) {
            toldEnd = true;
            listeners.forEach(l -> l.end(whole));
        }
    }

    /** Stops the prefetching thread; also called when the step scope ends. */
    @Override
    public void close() {
        if (pages != null) {
            pages.close();
        }
        tellEnd(false); // a step that never got to its end
    }
}
