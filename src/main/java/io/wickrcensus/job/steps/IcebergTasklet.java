package io.wickrcensus.job.steps;

import io.wickrcensus.iceberg.Lake;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import java.io.IOException;
import java.sql.SQLException;
import java.time.YearMonth;
import java.util.function.Supplier;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Step 8, iceberg: commits the published run to the Iceberg tables, one commit per table, then
 * records that it did. Each commit is made once however often the step runs (see {@link Lake}).
 */
public class IcebergTasklet implements Tasklet {

    private final RunLedger ledger;
    private final Supplier<Lake> lake;
    private final boolean enabled;

    public IcebergTasklet(RunLedger ledger, Supplier<Lake> lake, boolean enabled) {
        this.ledger = ledger;
        this.lake = lake;
        this.enabled = enabled;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        if (enabled) {
            commit(ledger, lake, ledger.get(RunContext.of(contribution.getStepExecution()).runId()));
        }
        return RepeatStatus.FINISHED;
    }

    /** Commits a published run's night to the tables and records it: the step's work, also done for a run completed without it. */
    public static void commit(RunLedger ledger, Supplier<Lake> lake, RunLedger.Run run) throws SQLException, IOException {
        try (Lake l = lake.get()) {
            l.publish(run.runId(), run.networkId(), run.asOf(), run.billingPeriods().stream().map(YearMonth::toString).toList());
        }
        ledger.icebergCommitted(run.runId());
    }
}
