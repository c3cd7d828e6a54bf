package io.wickrcensus.job.launch;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.stereotype.Component;

/**
 * The job executions this process is running (not those of other processes sharing the database),
 * so that a SIGTERM (a pod evicted, a node drained) can ask exactly them to stop at their next chunk
 * boundary: each then ends STOPPED with its progress committed, and a relaunch resumes it.
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

    /** Asks every execution of this process to stop; returns how many were asked. */
    public int stopAll(JobOperator operator) {
        int asked = 0;
        for (JobExecution e : running) {
            try {
                operator.stop(e);
                asked++;
            } catch (Exception ex) {
                log.debug("execution {} could not be asked to stop: {}", e.getId(), ex.getMessage());
            }
        }
        return asked;
    }
}
