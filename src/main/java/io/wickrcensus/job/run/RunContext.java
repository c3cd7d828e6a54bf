package io.wickrcensus.job.run;

import java.time.LocalDate;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.step.StepExecution;

/**
 * The run a step works for, and how a run is named in Spring Batch: the job {@value #JOB_NAME}
 * with the network and the as-of date as its identifying parameters, so the same night restarts
 * the same job instance. The ledger's run id travels as a non-identifying parameter.
 */
public record RunContext(long runId, String networkId) {

    public static final String JOB_NAME = "snapshot";
    public static final String NETWORK_ID = "networkId";
    public static final String AS_OF = "asOf";
    public static final String RUN_ID = "runId";
    public static final String BILLING_PERIODS = "billingPeriods";

    public static RunContext of(StepExecution step) {
        JobParameters p = step.getJobExecution().getJobParameters();
        return new RunContext(p.getLong(RUN_ID), p.getString(NETWORK_ID));
    }

    /** What names the job instance: the network and the as-of date. */
    public static JobParameters identifying(String networkId, LocalDate asOf) {
        return new JobParametersBuilder()
                .addString(NETWORK_ID, networkId)
                .addLocalDate(AS_OF, asOf)
                .toJobParameters();
    }
}
