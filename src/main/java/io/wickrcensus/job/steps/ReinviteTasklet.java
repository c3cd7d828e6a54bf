package io.wickrcensus.job.steps;

import io.wickrcensus.db.StagedUsers;
import io.wickrcensus.job.run.RunMetrics;
import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.api.model.BatchReinviteUserResponse;
import io.wickrcensus.faults.CrashPoints;
import io.wickrcensus.job.run.ReinviteSettings;
import io.wickrcensus.job.run.RunContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Step 5 (opt-in), re-invite: users of this run's snapshot whose invitation is pending and
 * expired, optionally of one security group, not re-invited within the cool-down.
 *
 * <p>The first call records every candidate's intent in one transaction (or, over the cap or in a
 * dry run, its final outcome). Each later call sends one chunk of at most 50, then records the
 * outcomes. Before the call, the chunk is marked sent in a transaction of its own.
 *
 * <p>At most one re-invitation per user per cool-down, whatever the service does. A relaunch that
 * finds a chunk sent without outcomes (a crash between the call and its record) counts it as sent:
 * its users are recorded {@code UNCONFIRMED} and are not sent again, in this run or any other,
 * before the cool-down has passed. The SDKs mark {@code X-Client-Token} an idempotency token, but
 * the model does not say how long the service remembers one, nor that a re-invitation clears
 * {@code isInviteExpired} (and reads may lag), so neither a re-send nor a look at ListUsers is
 * safe. A chunk marked sent in a run that was never resumed counts the same. A user whose
 * invitation is still expired after the cool-down is re-invited then, once.
 */
public class ReinviteTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger(ReinviteTasklet.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate ownTransaction;
    private final WickrAdminClient client;
    private final ReinviteSettings settings;
    private final RunMetrics metrics;

    public ReinviteTasklet(JdbcTemplate jdbc, PlatformTransactionManager tx, WickrAdminClient client, ReinviteSettings settings,
                           RunMetrics metrics) {
        this.metrics = metrics;
        this.jdbc = jdbc;
        this.ownTransaction = new TransactionTemplate(tx);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.client = client;
        this.settings = settings;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        RunContext run = RunContext.of(contribution.getStepExecution());
        if (settings.mode() == ReinviteSettings.Mode.OFF) {
            return RepeatStatus.FINISHED;
        }
        long recorded = jdbc.queryForObject("SELECT count(*) FROM census.reinvitation WHERE run_id = ?", Long.class, run.runId());
        if (recorded == 0) {
            return recordCandidates(run) ? RepeatStatus.CONTINUABLE : RepeatStatus.FINISHED;
        }
        List<Integer> next = jdbc.queryForList("SELECT min(chunk_no) FROM census.reinvitation WHERE run_id = ? AND outcome = 'PENDING'",
                Integer.class, run.runId());
        if (next.isEmpty() || next.get(0) == null) {
            log.info("network {}: re-invitations done: {}", run.networkId(), summary(run.runId()));
            return RepeatStatus.FINISHED;
        }
        int chunk = next.get(0);
        List<String> userIds = jdbc.queryForList(
                "SELECT user_id FROM census.reinvitation WHERE run_id = ? AND chunk_no = ? AND outcome = 'PENDING' ORDER BY user_id",
                String.class, run.runId(), chunk);
        boolean inDoubt = jdbc.queryForObject("SELECT bool_or(sent_at IS NOT NULL) FROM census.reinvitation "
                + "WHERE run_id = ? AND chunk_no = ? AND outcome = 'PENDING'", Boolean.class, run.runId(), chunk);
        if (inDoubt) {
            settleInDoubt(run, chunk, userIds);
            return RepeatStatus.CONTINUABLE;
        }
        // one token for the chunk: a service that remembers it answers a repeat idempotently (the client repeats the call only
        // where it cannot have been carried out: throttled, or never connected)
        String token = token(run, chunk, userIds);
        List<String> sending = userIds;
        ownTransaction.executeWithoutResult(s -> jdbc.batchUpdate(
                "UPDATE census.reinvitation SET sent_at = now(), client_token = ? WHERE run_id = ? AND user_id = ?",
                sending.stream().map(u -> new Object[] {token, run.runId(), u}).toList()));
        BatchReinviteUserResponse answer = client.batchReinviteUser(run.networkId(), userIds, token);
        CrashPoints.reach("reinvite.after-call");
        List<Object[]> done = new ArrayList<>();
        answer.successful().forEach(s -> done.add(new Object[] {"REINVITED", null, null, run.runId(), s.userId()}));
        answer.failed().forEach(f -> done.add(new Object[] {"FAILED", f.field(), f.reason(), run.runId(), f.userId()}));
        jdbc.batchUpdate("UPDATE census.reinvitation SET outcome = ?, field = ?, reason = ?, completed_at = now() "
                + "WHERE run_id = ? AND user_id = ? AND outcome = 'PENDING'", done);
        // a user the answer did not mention is not left pending forever
        jdbc.update("UPDATE census.reinvitation SET outcome = 'FAILED', reason = 'absent from the service''s answer', completed_at = now() "
                + "WHERE run_id = ? AND chunk_no = ? AND outcome = 'PENDING'", run.runId(), chunk);
        contribution.incrementWriteCount(userIds.size());
        return RepeatStatus.CONTINUABLE;
    }

    /** Records the users of a chunk that was sent but whose answer was lost as re-invited, unconfirmed; none is sent again. */
    private void settleInDoubt(RunContext run, int chunk, List<String> userIds) {
        jdbc.update("UPDATE census.reinvitation SET outcome = 'UNCONFIRMED', completed_at = now(), "
                + "reason = 'sent, but the call was interrupted before its answer was recorded: counted as re-invited, not sent again "
                + "within the cool-down' WHERE run_id = ? AND chunk_no = ? AND outcome = 'PENDING'", run.runId(), chunk);
        log.warn("network {}: a re-invitation call of {} users was interrupted before its answer was recorded: they are counted as "
                + "re-invited (UNCONFIRMED in census.reinvitations) and not sent again before the cool-down has passed",
                run.networkId(), userIds.size());
    }

    /** Records the candidates; returns whether there are calls to make. */
    private boolean recordCandidates(RunContext run) {
        List<String> candidates = jdbc.queryForList("SELECT s.user_id FROM ("
                + StagedUsers.lastRows("s.user_id, s.status, s.is_invite_expired, s.security_groups", "",
                        StagedChanges.listedOnce(jdbc, run.runId())) + ") s" + """

                WHERE s.status = 1 AND s.is_invite_expired
                  AND (?::text IS NULL OR ?::text = ANY (s.security_groups))
                  AND NOT EXISTS (
                      SELECT 1 FROM census.reinvitation x JOIN census.run pr ON pr.run_id = x.run_id
                      WHERE x.user_id = s.user_id
                        AND (x.outcome IN ('REINVITED', 'UNCONFIRMED') OR (x.outcome = 'PENDING' AND x.sent_at IS NOT NULL))
                        AND pr.network_id = ? AND pr.run_id <> ?
                        AND pr.as_of > (SELECT as_of FROM census.run WHERE run_id = ?) - ?::int)
                ORDER BY s.user_id""", String.class, run.runId(), settings.groupId(), settings.groupId(), run.networkId(),
                run.runId(), run.runId(), (int) settings.cooldown().toDays());
        if (candidates.isEmpty()) {
            log.info("network {}: no user to re-invite", run.networkId());
            return false;
        }
        String outcome;
        if (candidates.size() > settings.cap()) {
            outcome = "SKIPPED_CAP";
            log.warn("network {}: {} users qualify for re-invitation, more than the cap of {}: none is re-invited "
                    + "(raise --reinvite-cap to send them)", run.networkId(), candidates.size(), settings.cap());
        } else if (settings.mode() == ReinviteSettings.Mode.DRY_RUN) {
            outcome = "DRY_RUN";
            log.info("network {}: dry run: {} users would be re-invited (see census.reinvitations)", run.networkId(), candidates.size());
        } else {
            outcome = "PENDING";
            log.info("network {}: re-inviting {} users in {} calls", run.networkId(), candidates.size(),
                    (candidates.size() + WickrAdminClient.MAX_BATCH_ITEMS - 1) / WickrAdminClient.MAX_BATCH_ITEMS);
        }
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            int chunk = i / WickrAdminClient.MAX_BATCH_ITEMS;
            rows.add(new Object[] {run.runId(), candidates.get(i), chunk, null, outcome});
        }
        jdbc.batchUpdate("INSERT INTO census.reinvitation (run_id, user_id, chunk_no, client_token, outcome, completed_at) "
                + "VALUES (?, ?, ?, ?, ?, CASE WHEN ? = 'PENDING' THEN NULL ELSE now() END)",
                rows.stream().map(r -> new Object[] {r[0], r[1], r[2], r[3], r[4], r[4]}).toList());
        metrics.rows("reinvitation", rows.size());
        return outcome.equals("PENDING");
    }

    /** The same run, chunk and users always get the same token: a replayed call can be idempotent at the service. */
    static String token(RunContext run, int chunk, List<String> userIds) {
        return UUID.nameUUIDFromBytes(("wickr-census|reinvite|" + run.networkId() + "|" + run.runId() + "|" + chunk + "|"
                + String.join(",", userIds)).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private String summary(long runId) {
        StringBuilder sb = new StringBuilder();
        jdbc.query("SELECT outcome, count(*) FROM census.reinvitation WHERE run_id = ? GROUP BY 1 ORDER BY 1",
                rs -> {
                    sb.append(sb.length() == 0 ? "" : ", ").append(rs.getLong(2)).append(' ').append(rs.getString(1).toLowerCase());
                }, runId);
        return sb.toString();
    }
}
