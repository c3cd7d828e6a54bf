package io.wickrcensus.job.launch;

import io.wickrcensus.job.run.RunContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;

/**
 * Puts Spring Batch's job repository back into a state it can restart from after a crash. Called
 * only while the run's {@link RunLock} is held, which proves no live process runs the execution.
 * <ul>
 * <li>An execution left STARTED by a killed process is recovered (marked failed) by the operator.</li>
 * <li>A step left UNKNOWN (its failure could not be rolled back: the database went away mid-step)
 * or STARTED (the end could not be recorded) is marked FAILED. Every step of this job is
 * re-runnable (staging resumes from what was committed, lookups and re-invitations are recorded
 * per item, publishing is one transaction, Parquet is rebuilt) and PostgreSQL rolled back what was
 * not committed, so the relaunch resumes it instead of asking for a person.</li>
 * <li>A job instance without an execution (the database was lost between creating the two) holds
 * nothing and can be neither started nor restarted: it is deleted.</li>
 * </ul>
 */
final class RepositoryRepair {

    private static final Logger log = LoggerFactory.getLogger(RepositoryRepair.class);

    private final JobOperator jobOperator;
    private final JobRepository jobRepository;

    RepositoryRepair(JobOperator jobOperator, JobRepository jobRepository) {
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
    }

    /** Repairs whatever a crashed launch of this run left; returns whether a previous execution exists (a resume). */
    boolean repair(String run, JobParameters identifying) {
        JobExecution last = jobRepository.getLastJobExecution(RunContext.JOB_NAME, identifying);
        if (last == null) {
            dropEmptyInstance(run, identifying);
            return false;
        }
        recoverOrphan(run, last);
        releaseUnknown(run, last);
        return true;
    }

    /** Recovers the run's last execution if a dead process left it running (used also for a run already published). */
    void recoverOrphan(String run, JobParameters identifying) {
        JobExecution last = jobRepository.getLastJobExecution(RunContext.JOB_NAME, identifying);
        if (last != null) {
            recoverOrphan(run, last);
        }
    }

    private void recoverOrphan(String run, JobExecution last) {
        if (last.getStatus().isRunning()) {
            log.warn("{}: execution {} was left running by a process that died; recovering it", run, last.getId());
            jobOperator.recover(last);
        }
    }

    private void releaseUnknown(String run, JobExecution last) {
        JobExecution full = jobRepository.getJobExecution(last.getId());
        boolean released = false;
        for (var step : full.getStepExecutions()) {
            if (step.getStatus() == BatchStatus.UNKNOWN || step.getStatus().isRunning()) {
                step.setStatus(BatchStatus.FAILED);
                step.setExitStatus(ExitStatus.FAILED.addExitDescription(
                        "marked FAILED by wickr-census: its failure could not be rolled back; the step is re-runnable"));
                jobRepository.update(step);
                released = true;
            }
        }
        if (full.getStatus() == BatchStatus.UNKNOWN) {
            full.setStatus(BatchStatus.FAILED);
            full.setExitStatus(ExitStatus.FAILED);
            jobRepository.update(full);
            released = true;
        }
        if (released) {
            log.warn("{}: execution {} ended without a rollback (the database went away); resuming it", run, last.getId());
        }
    }

    /** Deletes the job instance of an execution that must leave no trace (the service refused the run). */
    void forget(String run, JobExecution execution) {
        JobInstance instance = execution.getJobInstance();
        jobRepository.deleteJobInstance(instance);
        log.debug("{}: job instance {} deleted", run, instance.getInstanceId());
    }

    private void dropEmptyInstance(String run, JobParameters identifying) {
        JobInstance empty = jobRepository.getJobInstance(RunContext.JOB_NAME, identifying);
        if (empty != null) {
            log.warn("{}: job instance {} was left without an execution; replacing it", run, empty.getInstanceId());
            jobRepository.deleteJobInstance(empty);
        }
    }
}
