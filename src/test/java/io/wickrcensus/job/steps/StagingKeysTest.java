package io.wickrcensus.job.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.api.model.User;
import io.wickrcensus.db.UserColumn;
import io.wickrcensus.support.Utf8;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import io.wickrcensus.job.run.RunMetrics;
import io.wickrcensus.testing.JobHarness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The users step tells whether it staged each user once: publish then skips picking each user's
 * last row, and the users partition written as staged is usable. A user listed twice (the
 * service's paging moved under a change) or a step that did not complete says neither.
 */
class StagingKeysTest {

    private static User user(String id) {
        return new User(id, "First", "Last", id + "@example.com", List.of("g"), false, false, User.STATUS_ACTIVE, false, null,
                "normal", null, null, 0, false, true, false, "uname-" + id);
    }

    /** What the listener was told as the step ended. */
    private static final class Told implements StagingListener<User> {
        final List<Boolean> ends = new ArrayList<>();
        int users;

        @Override
        public void committed(StagedRows rows, List<? extends User> items) {
            users += items.size();
        }

        @Override
        public void end(boolean whole) {
            ends.add(whole);
        }
    }

    /** Stages {@code listing} as run 1's users step would, ending with {@code status}; returns what the listener was told. */
    private static Told stage(JobHarness h, List<User> listing, BatchStatus status) throws Exception {
        DriverManagerDataSource ds = new DriverManagerDataSource(h.dbUrl, "postgres", "");
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        RunContext run = new RunContext(1, h.network);
        StagedSource<User> source = new StagedSource<>("users of the keys test", "census.stage_user", List.of("run_id"), List.of(1L),
                UserColumn.ALL.stream().map(c -> new StagedSource.Column<User>(c.column(), c::valueOf)).toList(), UserColumn.UNAME.column(),
                false, () -> listing, () -> listing.size(), "users.batch", new StagedChanges(run, new RunLedger(jdbc)), u -> Utf8.of(u.userId()));
        Told told = new Told();
        StagingTasklet<User> tasklet = new StagingTasklet<>(source, ds, 100, new RunMetrics(), List.of(told));
        StepExecution step = new StepExecution(1L, "users", new JobExecution(1L, new JobInstance(1L, "snapshot"), new JobParameters()));
        tasklet.beforeStep(step);
        StepContribution contribution = new StepContribution(step);
        while (tasklet.execute(contribution, null) == RepeatStatus.CONTINUABLE) {
            // one batch a call
        }
        step.setStatus(status);
        tasklet.afterStep(step);
        tasklet.close();
        return told;
    }

    private static long marked(JobHarness h) throws Exception {
        return h.count("SELECT count(*) FROM census.stage_user_once WHERE run_id = 1");
    }

    @Test
    void aListingOfDistinctUsersIsMarkedOnceAndAUserListedTwiceIsNot() throws Exception {
        try (JobHarness h = new JobHarness(40, 5)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK); // run 1, published: its staging is free for this test
            List<User> distinct = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                distinct.add(user("u" + i));
            }
            Told once = stage(h, distinct, BatchStatus.COMPLETED);
            assertThat(once.users).isEqualTo(250);
            assertThat(once.ends).containsExactly(true);
            assertThat(marked(h)).isEqualTo(1);

            List<User> repeat = new ArrayList<>(distinct);
            repeat.add(120, user("u7")); // a later page lists u7 again, in another batch of 100
            Told twice = stage(h, repeat, BatchStatus.COMPLETED);
            assertThat(twice.ends).as("told once, by the step's end").containsExactly(false);
            assertThat(marked(h)).as("the step started again dropped the earlier mark, and made none").isZero();

            // the mark commits with the last batch (Batch records a step complete before its afterStep
            // runs); a step that fails after that is started again by the relaunch, which drops it
            Told failed = stage(h, distinct, BatchStatus.FAILED);
            assertThat(failed.ends).as("the partition written as staged is given up").containsExactly(false);
        }
    }
}
