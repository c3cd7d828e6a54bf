package io.wickrcensus.job.steps;

import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import io.wickrcensus.parquet.ParquetExporter;
import io.wickrcensus.parquet.WriteAhead;
import java.io.IOException;
import java.sql.SQLException;
import java.time.YearMonth;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Step 7, parquet: writes the published run's Parquet datasets, then records that it did. The
 * partitions written ahead during the steps before ({@link PartitionsWrittenAhead}) are used when
 * there are some.
 */
public class ParquetTasklet implements Tasklet {

    private final RunLedger ledger;
    private final ParquetExporter exporter;
    private final PartitionsWrittenAhead ahead;
    private final boolean enabled;

    public ParquetTasklet(RunLedger ledger, ParquetExporter exporter, PartitionsWrittenAhead ahead, boolean enabled) {
        this.ledger = ledger;
        this.exporter = exporter;
        this.ahead = ahead;
        this.enabled = enabled;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        if (enabled) {
            RunLedger.Run run = ledger.get(RunContext.of(contribution.getStepExecution()).runId());
            export(ledger, exporter, run, ahead.take(run.runId()));
        }
        return RepeatStatus.FINISHED;
    }

    /**
     * Writes a run's datasets and records it in the ledger: the step's work, also done (with
     * nothing prepared) for a run completed without them.
     */
    public static void export(RunLedger ledger, ParquetExporter exporter, RunLedger.Run run, WriteAhead.Prepared prepared)
            throws SQLException, IOException {
        exporter.export(run.runId(), run.networkId(), run.asOf(), run.billingPeriods().stream().map(YearMonth::toString).toList(),
                prepared);
        ledger.parquetExported(run.runId());
    }
}
