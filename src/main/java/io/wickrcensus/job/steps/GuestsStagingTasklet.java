package io.wickrcensus.job.steps;

import io.wickrcensus.job.RunMetrics;
import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.api.model.GuestUser;
import io.wickrcensus.api.model.ListGuestUsersRequest;
import io.wickrcensus.job.PgCopy;
import javax.sql.DataSource;
import org.springframework.batch.core.step.StepExecution;

/** Step 2, one partition per billing period: that period's guest users into {@code census.stage_guest}. */
public class GuestsStagingTasklet extends StagingTasklet<GuestUser> {

    public static final String PERIOD_KEY = "billingPeriod";

    private final WickrAdminClient client;

    public GuestsStagingTasklet(DataSource dataSource, WickrAdminClient client, int batchRows, RunMetrics metrics, EarlyUnameLookups early) {
        super(dataSource, batchRows, metrics, early);
        this.client = client;
    }

    private static String period(StepExecution step) {
        return step.getExecutionContext().getString(PERIOD_KEY);
    }

    @Override
    protected String describe(StepExecution step) {
        return "guests of network " + RunContext.of(step).networkId() + " in " + period(step);
    }

    @Override
    protected void clear(StepExecution step) {
        jdbc.update("DELETE FROM census.stage_guest WHERE run_id = ? AND billing_period = ?", RunContext.of(step).runId(), period(step));
    }

    @Override
    protected Iterable<GuestUser> source(StepExecution step) {
        return client.listAllGuestUsers(ListGuestUsersRequest.builder(RunContext.of(step).networkId())
                .maxResults(WickrAdminClient.MAX_PAGE_SIZE).billingPeriod(period(step)).build());
    }

    @Override
    protected String crashPoint() {
        return "guests.batch";
    }

    @Override
    protected boolean unamesRecur() {
        return true;
    }

    @Override
    protected String uname(GuestUser item) {
        return item.usernameHash();
    }

    @Override
    protected String copyTarget() {
        return "census.stage_guest (run_id, billing_period, seq, username, username_hash)";
    }

    @Override
    protected Object[] rowPrefix(StepExecution step) {
        // the period is the one asked for: a guest answered under another period would be a service bug
        return new Object[] {RunContext.of(step).runId(), period(step)};
    }

    @Override
    protected void row(PgCopy c, GuestUser g) {
        c.value(g.username()).value(g.usernameHash());
    }
}
