package io.wickrcensus.job.launch;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.stereotype.Component;

/**
 * The job executions this process is running (not those of other processes sharing the database),
 * so that a SIGTERM (a pod evicted, a node drained) can stop exactly them at their next chunk
 * boundary: each then ends STOPPED with its progress committed, and a relaunch resumes it.
 *
 * <p>It marks their running steps terminate-only, which Batch's tasklet step checks after every
 * chunk. {@code JobOperator.stop} is not used: in Batch 6.0 it marks the execution STOPPED at once
 * while its steps go on (spring-batch issue 5114), and this run's stop must be one that happened.
 */
@Component
public class RunningExecutions implements JobExecutionListener {

    private static final Logger log = LoggerFactory.getLogger(RunningExecutions.class);

    private final Set<JobExecution> running = ConcurrentHashMap.newKeySet();

    @Override
    public void beforeJob(JobExecution execution) {
        running.add(execution);
    }

    @Override
    public void afterJob(JobExecution execution) {
        running.remove(execution);
    }

    /**
     * Marks the running steps of every execution of this process to stop after their current chunk;
     * returns how many executions are running. Called again while they wind down, it also catches
     * steps that started meanwhile (a partition, the next step of the flow).
     */
    public int stopAll() {
        for (JobExecution e : running) {
            for (StepExecution step : e.getStepExecutions()) {
                if (step.getStatus().isRunning() && !step.isTerminateOnly()) {
                    step.setTerminateOnly();
                    log.debug("step {} of execution {} asked to stop", step.getStepName(), e.getId());
                }
            }
        }
        return running.size();
    }
}
