package io.wickrcensus.job.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import io.wickrcensus.job.run.RunMetrics;
import io.wickrcensus.testing.TestDatabases;
import io.wickrcensus.testing.TrackingDataSource;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.jdbc.core.JdbcTemplate;

/** The staging and uname steps give back their threads and connections when they fail to start. */
class StepResourceLeakTest {

    private static final RunContext RUN = new RunContext(1, "net00001");

    private static StepExecution stepExecution(String name) {
        JobExecution job = new JobExecution(1L, new JobInstance(1L, "snapshot"), new JobParameters());
        return new StepExecution(1L, name, job);
    }

    /** An endless listing that counts the items it was asked for. */
    private static Iterable<String> endless(AtomicInteger served) {
        return () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public String next() {
                return "item-" + served.incrementAndGet();
            }
        };
    }

    /** A staging tasklet over a scratch table, paging an endless listing named {@code what}. */
    private static StagingTasklet<String> staging(String what, TrackingDataSource ds, AtomicInteger served,
                                                  java.util.function.LongSupplier expected, ExecutorService workers) {
        new JdbcTemplate(ds).execute("CREATE TABLE IF NOT EXISTS stage_test (run_id bigint, seq bigint, v text)");
        StagedSource<String> source = new StagedSource<>(what, "public.stage_test", List.of("run_id"), List.of(RUN.runId()),
                List.of(new StagedSource.Column<>("v", s -> s)), "v", false, () -> endless(served), expected, "test.batch", null, null);
        return new StagingTasklet<>(source, ds, 100, new RunMetrics(), List.of());
    }

    @Test
    void aStagingStepWhoseCountCallFailsLeavesNoThreadPaging() throws Exception {
        TrackingDataSource ds = new TrackingDataSource(TestDatabases.newDatabase("leak_staging"));
        AtomicInteger served = new AtomicInteger();
        ExecutorService workers = Executors.newSingleThreadExecutor();
        try {
            StagingTasklet<String> tasklet = staging("items of the leak test", ds, served, () -> {
                throw new IllegalStateException("GetUsersCount failed");
            }, workers);
            StepExecution step = stepExecution("users");

            assertThatThrownBy(() -> tasklet.beforeStep(step)).hasMessage("GetUsersCount failed");
            // the failed beforeStep itself stops the thread (the listing is endless: it would page on)
            Thread t = PrefetcherTest.thread("items of the leak test");
            if (t != null) {
                t.join(2000);
                assertThat(t.isAlive()).as("the prefetch thread stopped").isFalse();
            }
            assertThat(PrefetcherTest.thread("items of the leak test")).as("no thread is left to page").isNull();
            assertThat(ds.open()).isZero();
        } finally {
            workers.shutdownNow();
        }
    }

    @Test
    void aStagingStepStopsItsPrefetchThreadWhenItEnds() throws Exception {
        TrackingDataSource ds = new TrackingDataSource(TestDatabases.newDatabase("leak_staging_end"));
        ExecutorService workers = Executors.newSingleThreadExecutor();
        try {
            StagingTasklet<String> tasklet = staging("items of the ending test", ds, new AtomicInteger(), () -> -1, workers);
            StepExecution step = stepExecution("users");
            tasklet.beforeStep(step);
            assertThat(PrefetcherTest.thread("items of the ending test")).isNotNull();
            tasklet.afterStep(step); // the step failed or was stopped before the listing ended
            Thread t = PrefetcherTest.thread("items of the ending test");
            if (t != null) {
                t.join(2000);
                assertThat(t.isAlive()).isFalse();
            }
        } finally {
            workers.shutdownNow();
        }
    }

    @Test
    void theUnameStepGivesBackItsCursorConnectionWhenItsQueryFails() throws Exception {
        // a database without the census schema: the candidates' query fails as it does while PostgreSQL restarts
        String url = TestDatabases.newDatabase("leak_unames");
        TrackingDataSource ds = new TrackingDataSource(url);
        ExecutorService workers = Executors.newSingleThreadExecutor();
        try {
            DirectoryUnameResolver resolver = new DirectoryUnameResolver(ds, null, workers, new AdaptiveRateLimiter(0),
                    Duration.ofDays(30), new RunMetrics());
            UnamesTasklet tasklet = new UnamesTasklet(RUN, ds, resolver, UnameBacklog.NONE, new RunLedger(new JdbcTemplate(ds)), 2);

            assertThatThrownBy(() -> tasklet.beforeStep(stepExecution("unames")))
                    .hasMessageStartingWith("could not list the unames to resolve: ").hasMessageContaining("census");
            assertThat(ds.open()).as("the cursor's connection is closed").isZero();
        } finally {
            workers.shutdownNow();
        }
    }
}
