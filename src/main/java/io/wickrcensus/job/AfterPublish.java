package io.wickrcensus.job;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import javax.sql.DataSource;

/**
 * What a run does after a network's snapshot is published (or found already published by a
 * relaunch), with the job's database still open: the command line writes the reports there
 * ({@code run --reports-dir}). A failure fails the run (exit 1); relaunching does it again.
 */
@FunctionalInterface
public interface AfterPublish {

    AfterPublish NONE = (dataSource, networkId, asOf, billingPeriods) -> { };

    void published(DataSource dataSource, String networkId, LocalDate asOf, List<YearMonth> billingPeriods) throws Exception;
}
