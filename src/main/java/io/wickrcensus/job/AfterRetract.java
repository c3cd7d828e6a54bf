package io.wickrcensus.job;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import javax.sql.DataSource;

/**
 * What {@code retract} does once a snapshot is retracted (or found retracted by a relaunch), with
 * the job's database still open: the command line rewrites the reports it touches there
 * ({@code retract --reports-dir}). A failure fails the retraction (exit 1); relaunching does it again.
 */
@FunctionalInterface
public interface AfterRetract {

    AfterRetract NONE = (dataSource, networkId, asOf, billingPeriods) -> { };

    void retracted(DataSource dataSource, String networkId, LocalDate asOf, List<YearMonth> billingPeriods) throws Exception;
}
