package io.wickrcensus.job.steps;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.step.StepExecution;

/** The run a step works for, from its job parameters. */
public record RunContext(long runId, String networkId) {

    public static final String NETWORK_ID = "networkId";
    public static final String AS_OF = "asOf";
    public static final String RUN_ID = "runId";

    public static RunContext of(StepExecution step) {
        JobParameters p = step.getJobExecution().getJobParameters();
        return new RunContext(p.getLong(RUN_ID), p.getString(NETWORK_ID));
    }
}
