package io.wickrcensus.job;

import io.wickrcensus.db.DatabaseLocation;
import io.wickrcensus.db.DatabasePreflight;
import io.wickrcensus.db.DatabaseSettings;
import io.wickrcensus.job.launch.LaunchOutcome;
import io.wickrcensus.job.launch.RunLauncher;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.job.run.RunMetrics;
import io.wickrcensus.job.run.RunSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.wickrcensus.job.launch.RunningExecutions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * One {@code run}: finds the database (configured or embedded), migrates it, and runs each
 * network's snapshot as its own job instance, several at once up to the configured parallelism.
 */
public final class CensusRun {

    private static final Logger log = LoggerFactory.getLogger(CensusRun.class);

    private CensusRun() {
    }

    /** Runs the networks and returns the exit code that tells most about them. */
    public static int execute(RunSettings settings, AwsCredentialsProvider credentials) {
        return execute(settings, credentials, AfterPublish.NONE);
    }

    /** The same, doing {@code afterPublish} for each network whose snapshot is published. */
    public static int execute(RunSettings settings, AwsCredentialsProvider credentials, AfterPublish afterPublish) {
        return withDatabase(settings.database(), false, db -> execute(settings, credentials, db, new RunMetrics(), afterPublish));
    }

    /**
     * Opens the database (starting the embedded one if none is configured), runs {@code work} on
     * it and closes it; a database that cannot be opened is said in one line and its exit code.
     */
    static int withDatabase(DatabaseSettings settings, java.util.function.ToIntFunction<DatabaseLocation> work) {
        return withDatabase(settings, true, work);
    }

    /** The same; {@code stopOnJvmExit} false: the work stops itself on SIGTERM, and the embedded database after it. */
    private static int withDatabase(DatabaseSettings settings, boolean stopOnJvmExit, java.util.function.ToIntFunction<DatabaseLocation> work) {
        DatabaseLocation db;
        try {
            db = DatabaseLocation.resolve(settings, stopOnJvmExit);
        } catch (DatabaseLocation.DatabaseInUseException e) {
            log.error("{}: another launch is running", e.getMessage());
            return ExitCodes.CONCURRENT_LAUNCH;
        } catch (DatabaseLocation.DatabaseUnavailableException e) {
            log.error(e.getMessage());
            return ExitCodes.of(e);
        }
        try (db) {
            return work.applyAsInt(db);
        }
    }

    /**
     * Runs the networks against a database the caller holds open (its settings' database is not
     * looked at), recording into {@code metrics}.
     */
    public static int execute(RunSettings settings, AwsCredentialsProvider credentials, DatabaseLocation db, RunMetrics metrics) {
        return execute(settings, credentials, db, metrics, AfterPublish.NONE);
    }

    /** The same, doing {@code afterPublish} for each network whose snapshot is published. */
    public static int execute(RunSettings settings, AwsCredentialsProvider credentials, DatabaseLocation db, RunMetrics metrics,
                              AfterPublish afterPublish) {
        if (settings.parquet().enabled()) {
            // found now, not after publishing, when the Parquet step would fail on every relaunch
            String problem = settings.parquet().problem();
            if (problem != null) {
                log.error("--output-dir {} cannot hold the Parquet datasets: {}; nothing was done", settings.parquet().location(), problem);
                return ExitCodes.BAD_CONFIGURATION;
            }
        }
        String denied = preflight(db, settings.roles());
        if (denied != null) {
            log.error("{}; nothing was done", denied);
            return ExitCodes.BAD_CONFIGURATION;
        }
        long start = System.nanoTime();
        int code = ExitCodes.FAILED;
        // counted down once the run's last line is logged: a SIGTERM hook waits for it, since the JVM
        // halts when the hooks end (podman stop once logged no line, or "exit 1" for a process exiting 143)
        CountDownLatch finished = new CountDownLatch(1);
        try {
            code = launchAll(settings, credentials, db, metrics, afterPublish, finished);
            return code;
        } finally {
            metrics.finished(code);
            if (settings.pushgateway() != null) {
                try {
                    metrics.push(settings.pushgateway(), Map.of("networks", String.join("+", settings.networkIds())));
                } catch (Exception e) {
                    log.warn("pushing the metrics to the Pushgateway at {} failed: {}", settings.pushgateway(), e.getMessage());
                }
            }
            log.info("run finished: exit {}{} in {} s; {}", code, code == ExitCodes.STOPPED
                    ? " (stopped by SIGTERM; run the same command again to resume)" : "",
                    String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9), metrics.summary());
            finished.countDown();
        }
    }

    private static int launchAll(RunSettings settings, AwsCredentialsProvider credentials, DatabaseLocation db, RunMetrics metrics,
                                 AfterPublish afterPublish, CountDownLatch finished) {
        java.util.concurrent.atomic.AtomicBoolean sigterm = new java.util.concurrent.atomic.AtomicBoolean();
        Thread onSigterm = null;
        try (ConfigurableApplicationContext ctx = context(settings, credentials, db, metrics)) {
            RunLauncher launcher = ctx.getBean(RunLauncher.class);
            onSigterm = stopOnSigterm(ctx, finished, sigterm);
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(settings.parallelism(), settings.networkIds().size()));
            try {
                List<Future<LaunchOutcome>> results = new ArrayList<>();
                for (String network : settings.networkIds()) {
                    results.add(pool.submit(() -> {
                        LaunchOutcome outcome = launcher.launch(network);
                        if (outcome.exitCode() != ExitCodes.OK && outcome.exitCode() != ExitCodes.ALREADY_COMPLETE) {
                            return outcome;
                        }
                        try {
                            afterPublish.published(db.dataSource(), network, settings.asOf(), settings.billingPeriods());
                            return outcome;
                        } catch (Exception e) {
                            log.error("network {} {}: the snapshot is published, but what follows it failed: {}; run the same "
                                    + "command again to do it", network, settings.asOf(), e.getMessage());
                            return LaunchOutcome.of(ExitCodes.FAILED);
                        }
                    }));
                }
                int code = ExitCodes.OK;
                for (Future<LaunchOutcome> f : results) {
                    code = ExitCodes.worst(code, f.get().exitCode());
                }
                // stopped on request, the runs failed at a chunk boundary; the process exits with 143 and says so
                return sigterm.get() && code != ExitCodes.OK && code != ExitCodes.ALREADY_COMPLETE ? ExitCodes.STOPPED : code;
            } finally {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILED;
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            log.error("the job could not start: {}", root.getMessage());
            return ExitCodes.BAD_CONFIGURATION;
        } finally {
            // the context is closed; a SIGTERM hook waiting for the runs lets the JVM exit once the last line is logged
            if (onSigterm != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(onSigterm);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it was waiting for this
                }
            }
        }
    }

    /**
     * On SIGTERM (a pod evicted, a node drained), asks this process's runs to stop at their next
     * chunk boundary and waits up to {@value #STOP_GRACE_SECONDS} s for them to record it, release
     * their leases and close the database; the process then exits with 143. A relaunch resumes.
     */
    private static Thread stopOnSigterm(ConfigurableApplicationContext ctx, CountDownLatch finished,
                                        java.util.concurrent.atomic.AtomicBoolean sigtermSeen) {
        Thread hook = new Thread(() -> {
            sigtermSeen.set(true);
            RunningExecutions running = ctx.getBean(RunningExecutions.class);
            int asked = running.stopAll();
            log.warn("asked to exit (SIGTERM): stopping {} run{} at the next chunk boundary; run the same command again to resume",
                    asked, asked == 1 ? "" : "s");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_GRACE_SECONDS);
            try {
                // steps that start while the others wind down (a partition, the next step) are stopped too
                while (!finished.await(200, TimeUnit.MILLISECONDS)) {
                    if (System.nanoTime() > deadline) {
                        log.warn("the runs did not stop within {} s; exiting anyway (a relaunch resumes them)", STOP_GRACE_SECONDS);
                        return;
                    }
                    running.stopAll();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "census-sigterm");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** How long a SIGTERM waits for the runs to stop; within Kubernetes' default 30 s grace period. */
    static final int STOP_GRACE_SECONDS = 25;

    /** What keeps the user from running the migrations (see {@link DatabasePreflight}), or null. */
    static String preflight(DatabaseLocation db, RunSettings.Roles roles) {
        try {
            return DatabasePreflight.problem(db, roles.auditor(), roles.finance());
        } catch (java.sql.SQLException e) {
            return "checking the database user's privileges failed: " + e.getMessage();
        }
    }

    static ConfigurableApplicationContext context(RunSettings settings, AwsCredentialsProvider credentials, DatabaseLocation db,
                                                  RunMetrics metrics) {
        Migrations.migrate(db.dataSource(), settings.roles());
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("spring.datasource.url", db.url());
        props.put("spring.datasource.username", db.user() == null ? "" : db.user());
        props.put("spring.datasource.password", db.password() == null ? "" : db.password());
        props.put("spring.datasource.hikari.maximum-pool-size", 4 + settings.parallelism() * 8);
        props.put("spring.datasource.hikari.pool-name", "census");
        // PostgreSQL's error details quote the failing row (a username, a uname): keep them out of
        // exceptions and so out of the logs
        props.put("spring.datasource.hikari.data-source-properties.logServerErrorDetail", "false");
        props.put("spring.batch.job.enabled", false);
        props.put("spring.batch.jdbc.initialize-schema", "never");
        // Launches of one network and date are serialised by the launcher's advisory lock; SERIALIZABLE
        // (Batch's default) only made launches of different networks abort each other at commit
        props.put("spring.batch.jdbc.isolation-level-for-create", "read-committed");
        // migrated before the context starts, as every command migrates (Migrations), not by Boot's own Flyway
        props.put("spring.flyway.enabled", false);
        props.put("spring.main.log-startup-info", false);
        // the run's last line is logged after a SIGTERM's hooks start: logging must not stop with them
        props.put("logging.register-shutdown-hook", false);
        return new SpringApplicationBuilder(CensusApplication.class)
                // the run closes the context itself, after stopping its jobs on SIGTERM (shutdown hooks run in no order)
                .registerShutdownHook(false)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .properties(props)
                .initializers(c -> {
                    c.getBeanFactory().registerSingleton("runSettings", settings);
                    c.getBeanFactory().registerSingleton("awsCredentialsProvider", credentials);
                    c.getBeanFactory().registerSingleton("runMetrics", metrics);
                    c.getBeanFactory().registerSingleton("databaseLocation", db);
                })
                .run();
    }
}
