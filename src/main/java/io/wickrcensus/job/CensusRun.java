package io.wickrcensus.job;

import io.wickrcensus.cli.ExitCodes;
import io.wickrcensus.job.db.DatabaseLocation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
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
    public static int execute(RunSettings settings, AwsCredentialsProvider credentials, Map<String, String> env) {
        readTimeoutMs(env); // bad configuration is refused before the database is touched
        DatabaseLocation db;
        try {
            db = DatabaseLocation.resolve(env, settings.dataDir());
        } catch (DatabaseLocation.DatabaseInUseException e) {
            log.error("{}: another launch is running", e.getMessage());
            return ExitCodes.CONCURRENT_LAUNCH;
        } catch (DatabaseLocation.DatabaseUnavailableException e) {
            log.error(e.getMessage());
            return ExitCodes.BAD_CONFIGURATION;
        }
        try (db) {
            return execute(settings, credentials, env, db);
        }
    }

    /** Runs the networks against a database the caller holds open. */
    public static int execute(RunSettings settings, AwsCredentialsProvider credentials, Map<String, String> env, DatabaseLocation db) {
        return execute(settings, credentials, env, db, new RunMetrics());
    }

    /** Runs the networks against a database the caller holds open, recording into {@code metrics}. */
    public static int execute(RunSettings settings, AwsCredentialsProvider credentials, Map<String, String> env, DatabaseLocation db,
                              RunMetrics metrics) {
        long start = System.nanoTime();
        int code = ExitCodes.FAILED;
        try {
            code = launchAll(settings, credentials, env, db, metrics);
            return code;
        } finally {
            metrics.finished(code);
            String pushgateway = env.get("CENSUS_PUSHGATEWAY_URL");
            if (pushgateway != null && !pushgateway.isBlank()) {
                try {
                    metrics.push(pushgateway.trim(), Map.of("networks", String.join("+", settings.networkIds())));
                } catch (Exception e) {
                    log.warn("pushing the metrics to the Pushgateway at {} failed: {}", pushgateway, e.getMessage());
                }
            }
            log.info("run finished: exit {} in {} s; {}", code,
                    String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9), metrics.summary());
        }
    }

    private static int launchAll(RunSettings settings, AwsCredentialsProvider credentials, Map<String, String> env, DatabaseLocation db,
                                 RunMetrics metrics) {
        try (ConfigurableApplicationContext ctx = context(settings, credentials, env, db, metrics)) {
            RunLauncher launcher = ctx.getBean(RunLauncher.class);
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(settings.parallelism(), settings.networkIds().size()));
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (String network : settings.networkIds()) {
                    results.add(pool.submit(() -> launcher.launch(network)));
                }
                int code = ExitCodes.OK;
                for (Future<Integer> f : results) {
                    code = ExitCodes.worst(code, f.get());
                }
                return code;
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
        }
    }

    /** How long the client waits for an answer to start: CENSUS_API_READ_TIMEOUT_MS, default 30 s. */
    static long readTimeoutMs(Map<String, String> env) {
        String v = env.get("CENSUS_API_READ_TIMEOUT_MS");
        if (v == null || v.isBlank()) {
            return 30_000;
        }
        try {
            long ms = Long.parseLong(v.trim());
            if (ms > 0) {
                return ms;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("CENSUS_API_READ_TIMEOUT_MS must be a positive number of milliseconds, got '" + v + "'");
    }

    static ConfigurableApplicationContext context(RunSettings settings, AwsCredentialsProvider credentials,
                                                  Map<String, String> env, DatabaseLocation db, RunMetrics metrics) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("spring.datasource.url", db.url());
        props.put("spring.datasource.username", db.user() == null ? "" : db.user());
        props.put("spring.datasource.password", db.password() == null ? "" : db.password());
        props.put("spring.datasource.hikari.maximum-pool-size", 4 + settings.parallelism() * 8);
        props.put("spring.datasource.hikari.pool-name", "census");
        props.put("spring.batch.job.enabled", false);
        props.put("spring.batch.jdbc.initialize-schema", "never");
        // Launches of one network and date are serialised by the launcher's advisory lock; SERIALIZABLE
        // (Batch's default) only made launches of different networks abort each other at commit
        props.put("spring.batch.jdbc.isolation-level-for-create", "read-committed");
        props.put("spring.flyway.locations", "classpath:db/migration");
        props.put("spring.flyway.placeholders.auditor_role", env.getOrDefault("CENSUS_AUDITOR_ROLE", "census_auditor"));
        props.put("spring.flyway.placeholders.finance_role", env.getOrDefault("CENSUS_FINANCE_ROLE", "census_finance"));
        props.put("spring.main.log-startup-info", false);
        props.put("census.api.read-timeout-ms", readTimeoutMs(env));
        return new SpringApplicationBuilder(CensusApplication.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .properties(props)
                .initializers(c -> {
                    c.getBeanFactory().registerSingleton("runSettings", settings);
                    c.getBeanFactory().registerSingleton("awsCredentialsProvider", credentials);
                    c.getBeanFactory().registerSingleton("runMetrics", metrics);
                })
                .run();
    }
}
