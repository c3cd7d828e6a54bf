package io.wickrcensus.job;

import io.wickrcensus.api.ApiCallListener;
import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.api.WickrClientConfig;
import io.wickrcensus.parquet.ParquetExporter;
import io.wickrcensus.job.steps.EarlyUnameLookups;
import io.wickrcensus.job.steps.GuestsStagingTasklet;
import io.wickrcensus.job.steps.RunContext;
import io.wickrcensus.job.steps.UnameLookups;
import io.wickrcensus.job.steps.ParquetTasklet;
import io.wickrcensus.job.steps.PublishTasklet;
import io.wickrcensus.job.steps.ReconcileTasklet;
import io.wickrcensus.job.steps.ReinviteTasklet;
import io.wickrcensus.job.steps.UnamesTasklet;
import io.wickrcensus.job.steps.UsersStagingTasklet;
import java.time.YearMonth;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.job.builder.FlowBuilder;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.flow.Flow;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
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
 * The snapshot job: users and guests (one partition per billing period) are staged side by side,
 * then unames are resolved, the counts reconciled, pending users re-invited (when asked), the
 * snapshot published, and its Parquet datasets written.
 */
@Configuration(proxyBeanMethods = false)
public class SnapshotJobConfiguration {

    public static final String JOB_NAME = "snapshot";

    @Bean
    AdaptiveRateLimiter apiRateLimiter(RunSettings settings) {
        return new AdaptiveRateLimiter(settings.apiRatePerSecond());
    }

    @Bean(destroyMethod = "close")
    WickrAdminClient wickrAdminClient(RunSettings settings, AwsCredentialsProvider credentials, AdaptiveRateLimiter limiter,
                                      RunMetrics metrics, @Value("${census.api.read-timeout-ms:30000}") long readTimeoutMs) {
        WickrClientConfig config = WickrClientConfig.builder()
                .region(settings.region())
                .endpoint(settings.endpoint())
                .credentials(credentials)
                .maxAttempts(settings.maxAttempts())
                .readTimeout(java.time.Duration.ofMillis(readTimeoutMs))
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

    @Bean
    TaskExecutor stagingExecutor() {
        SimpleAsyncTaskExecutor e = new SimpleAsyncTaskExecutor("staging-");
        e.setConcurrencyLimit(64);
        return e;
    }

    @Bean
    Step usersStep(JobRepository repo, PlatformTransactionManager tx, DataSource ds, WickrAdminClient client, RunSettings s,
                   RunMetrics metrics, EarlyUnameLookups early) {
        UsersStagingTasklet tasklet = new UsersStagingTasklet(ds, client, s.copyBatchRows(), metrics, early);
        return new StepBuilder("users", repo).tasklet(tasklet, tx).listener(tasklet).listener((StepExecutionListener) metrics).build();
    }

    @Bean
    Step guestPeriodStep(JobRepository repo, PlatformTransactionManager tx, DataSource ds, WickrAdminClient client, RunSettings s,
                         RunMetrics metrics, EarlyUnameLookups early) {
        GuestsStagingTasklet tasklet = new GuestsStagingTasklet(ds, client, s.copyBatchRows(), metrics, early);
        return new StepBuilder("guestPeriod", repo).tasklet(tasklet, tx).listener(tasklet).listener((StepExecutionListener) metrics).build();
    }

    /** One partition per billing period of the run, named after the period. */
    @Bean
    @StepScope
    Partitioner billingPeriodPartitioner(@Value("#{jobParameters['billingPeriods']}") String periods) {
        return gridSize -> {
            Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
            for (String p : periods.split(",")) {
                ExecutionContext ctx = new ExecutionContext();
                ctx.putString(GuestsStagingTasklet.PERIOD_KEY, YearMonth.parse(p).toString());
                partitions.put("period-" + p, ctx);
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
                .gridSize(4)
                .build();
    }

    @Bean
    UnameLookups unameLookups(DataSource ds, WickrAdminClient client, ExecutorService unameCallers, AdaptiveRateLimiter limiter,
                              RunSettings s, RunMetrics metrics) {
        return new UnameLookups(ds, client, unameCallers, limiter, s.unameFreshness(), metrics);
    }

    @Bean
    EarlyUnameLookups earlyUnameLookups(UnameLookups lookups, ExecutorService unameCallers, RunSettings s) {
        return new EarlyUnameLookups(lookups, unameCallers, s.unameConcurrency());
    }

    @Bean
    Step unamesStep(JobRepository repo, PlatformTransactionManager tx, DataSource ds, UnameLookups lookups, EarlyUnameLookups early,
                    RunSettings s, RunMetrics metrics) {
        UnamesTasklet tasklet = new UnamesTasklet(ds, lookups, early, s.unameConcurrency());
        return new StepBuilder("unames", repo).tasklet(tasklet, tx).listener(tasklet).listener((StepExecutionListener) metrics).build();
    }

    @Bean
    Step reconcileStep(JobRepository repo, PlatformTransactionManager tx, JdbcTemplate jdbc, WickrAdminClient client, RunSettings s,
                       RunMetrics metrics) {
        return new StepBuilder("reconcile", repo).tasklet(new ReconcileTasklet(jdbc, client, s.reconcileTolerance()), tx)
                .listener((StepExecutionListener) metrics).build();
    }

    @Bean
    Step reinviteStep(JobRepository repo, PlatformTransactionManager tx, JdbcTemplate jdbc, WickrAdminClient client, RunSettings s,
                      RunMetrics metrics) {
        return new StepBuilder("reinvite", repo).tasklet(new ReinviteTasklet(jdbc, client, s.reinvite(), metrics), tx)
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
    Step parquetStep(JobRepository repo, PlatformTransactionManager tx, JdbcTemplate jdbc, RunLedger ledger, DataSource ds,
                     RunSettings s, RunMetrics metrics) {
        return new StepBuilder("parquet", repo)
                .tasklet(new ParquetTasklet(ledger, new ParquetExporter(ds, s.parquet()), s.parquet().enabled()), tx)
                .listener(crashAfterCommit("parquet.after-commit"))
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
                    Step reinviteStep, Step publishStep, Step parquetStep, TaskExecutor stagingExecutor, EarlyUnameLookups early) {
        Flow users = new FlowBuilder<Flow>("usersFlow").start(usersStep).build();
        Flow guests = new FlowBuilder<Flow>("guestsFlow").start(guestsStep).build();
        Flow staging = new FlowBuilder<Flow>("staging").split(stagingExecutor).add(users, guests).build();
        return new JobBuilder(JOB_NAME, repo)
                .listener(new JobExecutionListener() {
                    @Override
                    public void afterJob(JobExecution jobExecution) {
                        Long runId = jobExecution.getJobParameters().getLong(RunContext.RUN_ID);
                        if (runId != null) {
                            early.forget(runId); // a job that failed before the uname step leaves nothing queued
                        }
                    }
                })
                .start(staging)
                .next(unamesStep)
                .next(reconcileStep)
                .next(reinviteStep)
                .next(publishStep)
                .next(parquetStep)
                .end()
                .build();
    }
}
