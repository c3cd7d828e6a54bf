package io.wickrcensus.job;

import io.wickrcensus.api.ApiCallListener;
import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.api.WickrClientConfig;
import io.wickrcensus.api.model.GuestUser;
import io.wickrcensus.api.model.ListedUser;
import io.wickrcensus.faults.CrashPoints;
import io.wickrcensus.job.ahead.ParquetHeadStart;
import io.wickrcensus.job.ahead.UnameHeadStart;
import io.wickrcensus.job.launch.RunningExecutions;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import io.wickrcensus.job.run.RunMetrics;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.job.steps.AdaptiveRateLimiter;
import io.wickrcensus.job.steps.DirectoryUnameResolver;
import io.wickrcensus.job.steps.ParquetTasklet;
import io.wickrcensus.job.steps.PartitionsWrittenAhead;
import io.wickrcensus.job.steps.PublishTasklet;
import io.wickrcensus.job.steps.ReconcileTasklet;
import io.wickrcensus.job.steps.ReinviteTasklet;
import io.wickrcensus.job.steps.StagedSource;
import io.wickrcensus.job.steps.StagingListener;
import io.wickrcensus.job.steps.StagingTasklet;
import io.wickrcensus.job.steps.UnameBacklog;
import io.wickrcensus.job.steps.UnamesTasklet;
import io.wickrcensus.parquet.ParquetExporter;
import io.wickrcensus.parquet.WriteAhead;
import java.time.YearMonth;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.configuration.annotation.JobScope;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.FlowBuilder;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.flow.Flow;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.JobContext;
import org.springframework.batch.core.scope.context.JobSynchronizationManager;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.TaskExecutor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The snapshot job, step by step (numbers as in the README): users (1) and guests (2, one
 * partition per billing period) are staged side by side, then unames are resolved (3), the counts
 * reconciled (4), pending users re-invited when asked (5), the snapshot published (6), and its
 * Parquet datasets written (7), and the night committed to the Iceberg tables (8).
 *
 * <p>Per-run state lives in scoped beans: each step execution gets its own tasklet (step scope).
 * The head starts ({@code job.ahead}, one of each per job execution, job scope) are wired here,
 * and only here, behind the ports the steps own: the staging steps tell their
 * {@link StagingListener}s of each batch, the uname step drains its {@link UnameBacklog}, and the
 * Parquet step takes its {@link PartitionsWrittenAhead}. With {@link RunSettings#headStarts} off,
 * the steps get none and do the same work themselves, later. What outlives a run is in the database.
 */
@Configuration(proxyBeanMethods = false)
public class SnapshotJobConfiguration {

    private static final String JOB_PARAM = "#{jobParameters['";

    /**
     * The API budget of the credentials ({@link RunSettings#apiRatePerSecond}): one for the process,
     * shared by every network it runs at once, since the service limits the caller, not a network.
     */
    @Bean
    AdaptiveRateLimiter apiRateLimiter(RunSettings settings) {
        return new AdaptiveRateLimiter(settings.apiRatePerSecond());
    }

    @Bean(destroyMethod = "close")
    WickrAdminClient wickrAdminClient(RunSettings settings, AwsCredentialsProvider credentials, AdaptiveRateLimiter limiter,
                                      RunMetrics metrics) {
        WickrClientConfig config = WickrClientConfig.builder()
                .region(settings.region())
                .endpoint(settings.endpoint())
                .fips(settings.fips())
                .dualStack(settings.dualStack())
                .credentials(credentials)
                .maxAttempts(settings.maxAttempts())
                .readTimeout(settings.apiReadTimeout())
                .maxConnections(Math.max(16, settings.parallelism() * (settings.unameConcurrency() + 4)))
                .build();
        return WickrAdminClient.create(config, new ApiCallListener() {
            @Override
            public void attempt(String operation, int status, long nanos) {
                metrics.attempt(operation, status, nanos);
                if (!operation.equals("BatchLookupUserUname")) {
                    limiter.consume(); // lookups wait for the budget; paging takes it first
                }
            }

            @Override
            public void retry(String operation, Throwable cause, boolean throttled) {
                if (throttled) {
                    limiter.throttled();
                }
                metrics.retry(operation, cause, throttled);
            }
        });
    }

    @Bean(destroyMethod = "shutdownNow")
    ExecutorService unameCallers(RunSettings settings) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(settings.parallelism() * settings.unameConcurrency(), r -> {
            Thread t = new Thread(r, "uname-lookup-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs the staging flows and the guest partitions. Each task carries the job execution of the
     * thread that submitted it, so job-scoped beans resolve on these threads too (Batch registers
     * it only on the job's own thread).
     */
    @Bean
    TaskExecutor stagingExecutor() {
        SimpleAsyncTaskExecutor e = new SimpleAsyncTaskExecutor("staging-");
        e.setConcurrencyLimit(64);
        e.setTaskDecorator(task -> {
            JobContext job = JobSynchronizationManager.getContext();
            if (job == null) {
                return task;
            }
            JobExecution execution = job.getJobExecution();
            return () -> {
                JobSynchronizationManager.register(execution);
                try {
                    task.run();
                } finally {
                    JobSynchronizationManager.close();
                }
            };
        });
        return e;
    }

    @Bean
    DirectoryUnameResolver unameResolver(DataSource ds, WickrAdminClient client, ExecutorService unameCallers,
                                         AdaptiveRateLimiter limiter, RunSettings s, RunMetrics metrics) {
        return new DirectoryUnameResolver(ds, client, unameCallers, limiter, s.unameFreshness(), metrics);
    }

    /**
     * One per job execution: the staging steps feed it, the uname step drains it, the scope's end
     * drops what is left. A scoped proxy: never made where head starts are off, since nothing calls it.
     */
    @Bean
    @JobScope
    UnameHeadStart unameHeadStart(@Value(JOB_PARAM + RunContext.RUN_ID + "']}") Long runId,
                                  @Value(JOB_PARAM + RunContext.NETWORK_ID + "']}") String networkId,
                                  DirectoryUnameResolver resolver, ExecutorService unameCallers, RunSettings s) {
        return new UnameHeadStart(run(runId, networkId), resolver, unameCallers, s.unameConcurrency());
    }

    /** The uname step's backlog: the head start's, or none. */
    private static UnameBacklog backlog(RunSettings s, UnameHeadStart headStart) {
        return s.headStarts() ? headStart : UnameBacklog.NONE;
    }

    private static RunContext run(Long runId, String networkId) {
        return new RunContext(runId, networkId);
    }

    @Bean
    @StepScope
    StagingTasklet<ListedUser> usersTasklet(@Value(JOB_PARAM + RunContext.RUN_ID + "']}") Long runId,
                                      @Value(JOB_PARAM + RunContext.NETWORK_ID + "']}") String networkId,
                                      DataSource ds, WickrAdminClient client, RunSettings s, RunMetrics metrics, UnameHeadStart headStart,
                                      RunLedger ledger, ParquetHeadStart parquetHeadStart) {
        RunContext run = run(runId, networkId);
        List<StagingListener<? super ListedUser>> listeners = !s.headStarts() ? List.of()
                : s.parquet().enabled() ? List.of(headStart, parquetHeadStart.usersAsStaged(run)) : List.of(headStart);
        return new StagingTasklet<>(StagedSource.users(client, run, ledger), ds, s.copyBatchRows(), metrics, listeners);
    }

    @Bean
    @StepScope
    StagingTasklet<GuestUser> guestsTasklet(@Value(JOB_PARAM + RunContext.RUN_ID + "']}") Long runId,
                                            @Value(JOB_PARAM + RunContext.NETWORK_ID + "']}") String networkId,
                                            @Value("#{stepExecution}") StepExecution partition,
                                            DataSource ds, WickrAdminClient client, RunSettings s, RunMetrics metrics,
                                            UnameHeadStart headStart) {
        RunContext run = run(runId, networkId);
        return new StagingTasklet<>(StagedSource.guests(client, run, billingPeriodOf(partition)), ds, s.copyBatchRows(),
                metrics, s.headStarts() ? List.of(headStart) : List.of());
    }

    /**
     * The billing period of a guest partition: its execution context's, or, where the context was
     * lost, its name's ({@code guestPeriod:period-YYYY-MM}). Batch records a partition's execution
     * before its context; a database that went away between the two (the torture suite's
     * PostgreSQL restart hit that moment) left partitions that a restart found with an empty
     * context, and every relaunch failed.
     */
    static String billingPeriodOf(StepExecution partition) {
        String period = partition.getExecutionContext().getString(BILLING_PERIOD, null);
        if (period == null) {
            String name = partition.getStepName();
            int at = name.lastIndexOf(PARTITION_PREFIX);
            if (at < 0) {
                throw new IllegalStateException("guest partition " + name + " names no billing period");
            }
            period = name.substring(at + PARTITION_PREFIX.length());
        }
        return YearMonth.parse(period).toString();
    }

    /** A guest partition's name is this and its billing period. */
    static final String PARTITION_PREFIX = "period-";

    @Bean
    @StepScope
    UnamesTasklet unamesTasklet(@Value(JOB_PARAM + RunContext.RUN_ID + "']}") Long runId,
                                @Value(JOB_PARAM + RunContext.NETWORK_ID + "']}") String networkId,
                                DataSource ds, DirectoryUnameResolver resolver, UnameHeadStart headStart, RunLedger ledger, RunSettings s) {
        return new UnamesTasklet(run(runId, networkId), ds, resolver, backlog(s, headStart), ledger, s.unameConcurrency());
    }

    @Bean
    Step usersStep(JobRepository repo, PlatformTransactionManager tx, StagingTasklet<ListedUser> usersTasklet, RunMetrics metrics) {
        return new StepBuilder("users", repo).tasklet(usersTasklet, tx).listener(usersTasklet)
                .listener((StepExecutionListener) metrics).build();
    }

    @Bean
    Step guestPeriodStep(JobRepository repo, PlatformTransactionManager tx, StagingTasklet<GuestUser> guestsTasklet, RunMetrics metrics) {
        return new StepBuilder("guestPeriod", repo).tasklet(guestsTasklet, tx).listener(guestsTasklet)
                .listener((StepExecutionListener) metrics).build();
    }

    /** The key under which a guest partition's execution context holds its billing period. */
    static final String BILLING_PERIOD = "billingPeriod";

    /** One partition per billing period of the run, named after the period. */
    @Bean
    @StepScope
    Partitioner billingPeriodPartitioner(@Value(JOB_PARAM + RunContext.BILLING_PERIODS + "']}") String periods) {
        return gridSize -> {
            Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
            for (String p : periods.split(",")) {
                ExecutionContext ctx = new ExecutionContext();
                ctx.putString(BILLING_PERIOD, YearMonth.parse(p).toString());
                partitions.put(PARTITION_PREFIX + p, ctx);
            }
            return partitions;
        };
    }

    @Bean
    Step guestsStep(JobRepository repo, Step guestPeriodStep, Partitioner billingPeriodPartitioner, TaskExecutor stagingExecutor) {
        return new StepBuilder("guests", repo)
                .partitioner(guestPeriodStep.getName(), billingPeriodPartitioner)
                .step(guestPeriodStep)
                .taskExecutor(stagingExecutor)
                .build();
    }

    @Bean
    ParquetExporter parquetExporter(DataSource ds, RunSettings s) {
        return new ParquetExporter(ds, s.parquet());
    }

    @Bean
    WriteAhead writeAhead(DataSource ds, RunSettings s) {
        return new WriteAhead(ds, s.parquet());
    }

    /**
     * One per job execution: started by the uname step, taken by the Parquet step, dropped at the
     * scope's end if not. A scoped proxy: never made where head starts or Parquet are off.
     */
    @Bean
    @JobScope
    ParquetHeadStart parquetHeadStart(WriteAhead writeAhead, RunLedger ledger) {
        return new ParquetHeadStart(writeAhead, ledger);
    }

    /** Whether the Parquet head start runs: head starts on, and Parquet datasets to write. */
    private static boolean parquetAhead(RunSettings s) {
        return s.headStarts() && s.parquet().enabled();
    }

    @Bean
    Step unamesStep(JobRepository repo, PlatformTransactionManager tx, UnamesTasklet unamesTasklet, ParquetHeadStart parquetHeadStart,
                    RunMetrics metrics, RunSettings s) {
        var step = new StepBuilder("unames", repo).tasklet(unamesTasklet, tx).listener(unamesTasklet);
        if (parquetAhead(s)) {
            step.listener((StepExecutionListener) parquetHeadStart); // starts writing as the step starts
        }
        return step.listener((StepExecutionListener) metrics)
                .listener(crashAfterCommit("unames.after-commit")) // the listeners' afterStep run last first: this one before the others
                .build();
    }

    @Bean
    Step reconcileStep(JobRepository repo, PlatformTransactionManager tx, JdbcTemplate jdbc, RunLedger ledger, WickrAdminClient client,
                       RunSettings s, RunMetrics metrics) {
        return new StepBuilder("reconcile", repo)
                .tasklet(new ReconcileTasklet(jdbc, ledger, client, s.reconcileTolerance(), s.reconcile(), metrics), tx)
                .listener((StepExecutionListener) metrics).build();
    }

    @Bean
    Step reinviteStep(JobRepository repo, PlatformTransactionManager tx, JdbcTemplate jdbc, WickrAdminClient client, RunSettings s,
                      RunMetrics metrics) {
        return new StepBuilder("reinvite", repo).tasklet(new ReinviteTasklet(jdbc, tx, client, s.reinvite(), metrics), tx)
                .listener((StepExecutionListener) metrics).build();
    }

    @Bean
    Step publishStep(JobRepository repo, PlatformTransactionManager tx, JdbcTemplate jdbc, RunLedger ledger, RunMetrics metrics) {
        return new StepBuilder("publish", repo).tasklet(new PublishTasklet(jdbc, ledger, metrics), tx)
                .listener(crashAfterCommit("publish.after-commit"))
                .listener((StepExecutionListener) metrics)
                .build();
    }

    @Bean
    Step parquetStep(JobRepository repo, PlatformTransactionManager tx, RunLedger ledger, ParquetExporter parquetExporter,
                     ParquetHeadStart parquetHeadStart, RunSettings s, RunMetrics metrics) {
        return new StepBuilder("parquet", repo)
                .tasklet(new ParquetTasklet(ledger, parquetExporter, parquetAhead(s) ? parquetHeadStart : PartitionsWrittenAhead.NONE,
                        s.parquet().enabled()), tx)
                .listener(crashAfterCommit("parquet.after-commit"))
                .listener((StepExecutionListener) metrics)
                .build();
    }

    /** Opens the lake of the run's settings in the job's database; each user closes what it opened. */
    @Bean
    java.util.function.Supplier<io.wickrcensus.iceberg.Lake> lake(RunSettings s, io.wickrcensus.db.DatabaseLocation db) {
        return () -> io.wickrcensus.iceberg.Lake.open(s.iceberg(), s.parquet(), db);
    }

    @Bean
    Step icebergStep(JobRepository repo, PlatformTransactionManager tx, RunLedger ledger,
                     java.util.function.Supplier<io.wickrcensus.iceberg.Lake> lake, RunSettings s, RunMetrics metrics) {
        return new StepBuilder("iceberg", repo)
                .tasklet(new io.wickrcensus.job.steps.IcebergTasklet(ledger, lake, s.iceberg().enabled()), tx)
                .listener(crashAfterCommit("iceberg.after-step"))
                .listener((StepExecutionListener) metrics)
                .build();
    }

    /** A {@link CrashPoints} point after a step's work is committed and before Batch records the step complete. */
    private static StepExecutionListener crashAfterCommit(String point) {
        return new StepExecutionListener() {
            @Override
            public ExitStatus afterStep(StepExecution stepExecution) {
                CrashPoints.reach(point);
                return null;
            }
        };
    }

    @Bean
    Job snapshotJob(JobRepository repo, Step usersStep, Step guestsStep, Step unamesStep, Step reconcileStep,
                    Step reinviteStep, Step publishStep, Step parquetStep, Step icebergStep, TaskExecutor stagingExecutor,
                    RunningExecutions runningExecutions) {
        Flow users = new FlowBuilder<Flow>("usersFlow").start(usersStep).build();
        Flow guests = new FlowBuilder<Flow>("guestsFlow").start(guestsStep).build();
        Flow staging = new FlowBuilder<Flow>("staging").split(stagingExecutor).add(users, guests).build();
        return new JobBuilder(RunContext.JOB_NAME, repo)
                .listener(runningExecutions)
                .start(staging)
                .next(unamesStep)
                .next(reconcileStep)
                .next(reinviteStep)
                .next(publishStep)
                .next(parquetStep)
                .next(icebergStep)
                .end()
                .build();
    }
}
