package io.wickrcensus.job.steps;

import io.wickrcensus.job.RunMetrics;
import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.api.model.ListUsersRequest;
import io.wickrcensus.api.model.User;
import io.wickrcensus.job.PgCopy;
import javax.sql.DataSource;
import org.springframework.batch.core.step.StepExecution;

/** Step 1, users: every user of the network, 100 per ListUsers page, into {@code census.stage_user}. */
public class UsersStagingTasklet extends StagingTasklet<User> {

    static final String COLUMNS = "census.stage_user (run_id, seq, user_id, first_name, last_name, username, security_groups, "
            + "is_admin, suspended, status, otp_enabled, scim_id, type, cell, country_code, challenge_failures, "
            + "is_invite_expired, is_user, code_validation, uname)";

    private final WickrAdminClient client;

    public UsersStagingTasklet(DataSource dataSource, WickrAdminClient client, int batchRows, RunMetrics metrics, EarlyUnameLookups early) {
        super(dataSource, batchRows, metrics, early);
        this.client = client;
    }

    @Override
    protected String describe(StepExecution step) {
        return "users of network " + RunContext.of(step).networkId();
    }

    @Override
    protected void clear(StepExecution step) {
        jdbc.update("DELETE FROM census.stage_user WHERE run_id = ?", RunContext.of(step).runId());
    }

    @Override
    protected Iterable<User> source(StepExecution step) {
        return client.listAllUsers(ListUsersRequest.builder(RunContext.of(step).networkId()).maxResults(WickrAdminClient.MAX_PAGE_SIZE).build());
    }

    @Override
    protected long expected(StepExecution step) {
        return client.getUsersCount(RunContext.of(step).networkId()).total();
    }

    @Override
    protected String crashPoint() {
        return "users.batch";
    }

    @Override
    protected String uname(User item) {
        return item.uname();
    }

    @Override
    protected String copyTarget() {
        return COLUMNS;
    }

    @Override
    protected Object[] rowPrefix(StepExecution step) {
        return new Object[] {RunContext.of(step).runId()};
    }

    @Override
    protected void row(PgCopy c, User u) {
        c.value(u.userId()).value(u.firstName()).value(u.lastName())
                .value(u.username()).value(u.securityGroups()).value(u.isAdmin()).value(u.suspended()).value(u.status())
                .value(u.otpEnabled()).value(u.scimId()).value(u.type()).value(u.cell()).value(u.countryCode())
                .value(u.challengeFailures()).value(u.isInviteExpired()).value(u.isUser()).value(u.codeValidation())
                .value(u.uname());
    }
}
