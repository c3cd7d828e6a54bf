package io.wickrcensus.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.step.StepExecution;

/**
 * A guest partition knows its billing period even when its execution context was lost: Batch
 * records the partition's execution before its context, and a database restart between the two
 * left every relaunch failing to build the partition's tasklet.
 */
class GuestPartitionTest {

    private static StepExecution partition(String name) {
        return new StepExecution(1L, name, new JobExecution(1L, new JobInstance(1L, "snapshot"), new JobParameters()));
    }

    @Test
    void thePeriodComesFromTheContextAndFromThePartitionsNameWhereTheContextWasLost() {
        StepExecution withContext = partition("guestPeriod:period-2026-10");
        withContext.getExecutionContext().putString(SnapshotJobConfiguration.BILLING_PERIOD, "2026-11");
        assertThat(SnapshotJobConfiguration.billingPeriodOf(withContext)).as("the context wins").isEqualTo("2026-11");

        assertThat(SnapshotJobConfiguration.billingPeriodOf(partition("guestPeriod:period-2026-10"))).isEqualTo("2026-10");
        assertThatThrownBy(() -> SnapshotJobConfiguration.billingPeriodOf(partition("guestPeriod"))).hasMessageContaining("names no billing period");
    }
}
