package io.wickrcensus.job;

import io.wickrcensus.job.launch.RunLauncher;
import io.wickrcensus.job.launch.RunningExecutions;
import io.wickrcensus.job.run.RunLedger;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.batch.jdbc.autoconfigure.BatchJdbcAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The Spring Boot application of the {@code run} command: Batch and the snapshot job (the database
 * is migrated before it starts). Its parts are named, not found: the job's own four classes and
 * the four auto-configurations it uses (the pooled DataSource, its transaction manager, a
 * JdbcTemplate, and Batch's JDBC job repository and operator), without a classpath scan or the
 * rest of Boot's auto-configurations (AOP and transaction proxies, task executors, SSL bundles),
 * none of which the job uses and each of which cost every launch its time.
 */
@Configuration(proxyBeanMethods = false)
@Import({SnapshotJobConfiguration.class, RunLauncher.class, RunningExecutions.class, RunLedger.class})
@ImportAutoConfiguration({DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
        JdbcTemplateAutoConfiguration.class, BatchJdbcAutoConfiguration.class})
public class CensusApplication {
}
