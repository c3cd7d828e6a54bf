package io.wickrcensus.job;

import io.wickrcensus.testing.TestFiles;
import io.wickrcensus.job.run.ReinviteSettings;
import io.wickrcensus.testing.JobHarness;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.api.model.User;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.emulator.Reinvitation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The opt-in re-invitation step against the emulator, whose record proves who was re-invited and how often. */
class ReinviteTest {

    static ReinviteSettings on(int cap) {
        return new ReinviteSettings(ReinviteSettings.Mode.ON, null, cap, Duration.ofDays(7));
    }

    static Set<String> eligible(List<User> users) {
        return users.stream().filter(u -> u.pending() && u.isInviteExpired()).map(User::userId).collect(Collectors.toSet());
    }

    static Map<String, Long> reinvitedCounts(JobHarness h) {
        return h.emulator.reinvitations().stream().collect(Collectors.groupingBy(Reinvitation::userId, Collectors.counting()));
    }

    @Test
    void onlyEligibleUsersAreReinvitedOnceAndEveryOutcomeIsStored() throws Exception {
        try (JobHarness h = new JobHarness(1500, 10)) {
            Set<String> expected = eligible(h.servedUsers());
            assertThat(expected.size()).as("candidates").isGreaterThan(50);
            assertThat(h.run(h.settings("2026-11-20", on(1000)), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);
            assertThat(reinvitedCounts(h)).containsOnlyKeys(expected).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
            assertThat(h.query("SELECT user_id, outcome FROM census.reinvitations WHERE snapshot_date = '2026-11-20'"))
                    .hasSize(expected.size()).allSatisfy(r -> assertThat(r.get("outcome")).isEqualTo("REINVITED"));
            assertThat(h.emulator.reinvitations().stream().map(Reinvitation::clientToken).distinct().count())
                    .as("one token per chunk of 50").isEqualTo((expected.size() + 49) / 50);
        }
    }

    @Test
    void aGroupFilterNarrowsTheCandidates() throws Exception {
        try (JobHarness h = new JobHarness(1500, 10)) {
            Set<String> expected = h.servedUsers().stream().filter(u -> u.pending() && u.isInviteExpired()
                    && u.securityGroups().contains("EngK2p")).map(User::userId).collect(Collectors.toSet());
            ReinviteSettings group = new ReinviteSettings(ReinviteSettings.Mode.ON, "EngK2p", 1000, Duration.ofDays(7));
            assertThat(h.run(h.settings("2026-11-20", group), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);
            assertThat(reinvitedCounts(h).keySet()).isEqualTo(expected).isNotEmpty();
        }
    }

    @Test
    void aDryRunSendsNothingAndRecordsTheCandidates() throws Exception {
        try (JobHarness h = new JobHarness(800, 10)) {
            Set<String> expected = eligible(h.servedUsers());
            ReinviteSettings dry = new ReinviteSettings(ReinviteSettings.Mode.DRY_RUN, null, 1000, Duration.ofDays(7));
            assertThat(h.run(h.settings("2026-11-20", dry), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);
            assertThat(h.emulator.reinvitations()).isEmpty();
            assertThat(h.emulator.stats().keySet()).noneMatch(k -> k.startsWith("BatchReinviteUser"));
            assertThat(h.query("SELECT user_id FROM census.reinvitations WHERE outcome = 'DRY_RUN'"))
                    .extracting(r -> r.get("user_id")).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void aboveTheCapNothingIsSentAndTheCandidatesAreRecordedAsSkipped() throws Exception {
        try (JobHarness h = new JobHarness(800, 10)) {
            Set<String> expected = eligible(h.servedUsers());
            assertThat(h.run(h.settings("2026-11-20", on(expected.size() - 1)), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);
            assertThat(h.emulator.reinvitations()).isEmpty();
            assertThat(h.count("SELECT count(*) FROM census.reinvitations WHERE outcome = 'SKIPPED_CAP'")).isEqualTo(expected.size());
        }
    }

    @Test
    void aUserReinvitedWithinTheCooldownIsNotReinvitedByTheNextNight() throws Exception {
        String db = io.wickrcensus.testing.TestDatabases.newDatabase("cooldown");
        Set<String> first;
        try (JobHarness h = new JobHarness(800, 10, db)) {
            first = eligible(h.servedUsers());
            assertThat(h.run(h.settings("2026-11-12", on(1000)), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);
            assertThat(reinvitedCounts(h).keySet()).isEqualTo(first);
        }
        // a fresh emulator has forgotten the re-invitations: the same users look expired again
        try (JobHarness h = new JobHarness(800, 10, db)) {
            assertThat(eligible(h.servedUsers())).isEqualTo(first);
            assertThat(h.run(h.settings("2026-11-15", on(1000)), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);
            assertThat(h.emulator.reinvitations()).as("within the 7-day cool-down").isEmpty();
            assertThat(h.run(h.settings("2026-11-20", on(1000)), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);
            assertThat(reinvitedCounts(h).keySet()).as("after the cool-down").isEqualTo(first);
        }
    }

    /**
     * A crash between the second chunk's call and its record. The relaunch counts that chunk as sent
     * (UNCONFIRMED) and sends nobody twice, whether or not the service replays X-Client-Token and
     * whether or not a re-invitation clears isInviteExpired; nor does the next night within the
     * cool-down. After it, a user whose invitation is still expired is re-invited once more.
     */
    @ParameterizedTest(name = "the service replays X-Client-Token: {0}, keeps isInviteExpired: {1}")
    @CsvSource({"false,false", "false,true"})
    void aCrashBetweenTheCallAndItsRecordReinvitesNobodyTwiceWithinTheCooldown(boolean serviceReplaysTokens, boolean keepsExpiredFlag)
            throws Exception {
        try (JobHarness h = new JobHarness(1500, 10, io.wickrcensus.testing.TestDatabases.newDatabase("census"), JobHarness.PERIODS,
                b -> b.ignoreClientTokens(!serviceReplaysTokens).reinviteKeepsExpiredFlag(keepsExpiredFlag))) {
            Set<String> expected = eligible(h.servedUsers());
            Path log = TestFiles.log("census-reinvite");
            String db = io.wickrcensus.testing.TestDatabases.newDatabase("reinvitecrash");
            int killed = JobHarness.await(h.launchChild(db, "2026-11-20", "reinvite.after-call:2", log, "--reinvite", "on"));
            assertThat(killed).as(Files.readString(log)).isEqualTo(137);
            assertThat(h.emulator.reinvitations()).as("two chunks were sent").hasSize(100);
            int resumed = JobHarness.await(h.launchChild(db, "2026-11-20", null, log, "--reinvite", "on"));
            assertThat(resumed).as(Files.readString(log)).isEqualTo(ExitCodes.OK);
            assertThat(reinvitedCounts(h)).containsOnlyKeys(expected).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
            Map<String, Long> outcomes = new HashMap<>();
            try (var c = io.wickrcensus.testing.TestDatabases.connect(db); var rs = c.createStatement().executeQuery(
                    "SELECT outcome, count(*) FROM census.reinvitations GROUP BY 1")) {
                while (rs.next()) {
                    outcomes.put(rs.getString(1), rs.getLong(2));
                }
            }
            assertThat(outcomes).containsOnly(Map.entry("REINVITED", expected.size() - 50L), Map.entry("UNCONFIRMED", 50L));

            // the next night, within the cool-down: nobody, although the flag may still say expired
            assertThat(JobHarness.await(h.launchChild(db, "2026-11-21", null, log, "--reinvite", "on"))).isEqualTo(ExitCodes.OK);
            assertThat(reinvitedCounts(h)).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
            assertThat(keepsExpiredFlag ? eligible(h.servedUsers()) : Set.of()).as("still expired").isEqualTo(keepsExpiredFlag ? expected : Set.of());

            // after the cool-down (7 days): once more, where the invitation is still expired
            assertThat(JobHarness.await(h.launchChild(db, "2026-11-28", null, log, "--reinvite", "on"))).isEqualTo(ExitCodes.OK);
            assertThat(reinvitedCounts(h)).containsOnlyKeys(expected)
                    .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(keepsExpiredFlag ? 2 : 1));
        }
    }

    @Test
    void aChunkSentByARunThatWasNeverResumedCountsForTheCooldown() throws Exception {
        try (JobHarness h = new JobHarness(1500, 10, io.wickrcensus.testing.TestDatabases.newDatabase("census"), JobHarness.PERIODS,
                b -> b.ignoreClientTokens(true).reinviteKeepsExpiredFlag(true))) {
            Path log = TestFiles.log("census-reinvite-abandoned");
            String db = io.wickrcensus.testing.TestDatabases.newDatabase("reinviteabandoned");
            assertThat(JobHarness.await(h.launchChild(db, "2026-11-20", "reinvite.after-call:1", log, "--reinvite", "on"))).isEqualTo(137);
            Set<String> firstChunk = reinvitedCounts(h).keySet();
            assertThat(firstChunk).hasSize(50);
            // the crashed night is left; the next night is a run of its own
            assertThat(JobHarness.await(h.launchChild(db, "2026-11-21", null, log, "--reinvite", "on"))).as(Files.readString(log))
                    .isEqualTo(ExitCodes.OK);
            assertThat(reinvitedCounts(h)).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
            assertThat(reinvitedCounts(h).keySet()).containsAll(firstChunk).hasSize(eligible(h.servedUsers()).size());
        }
    }

    @Test
    void perItemFailuresAreStoredWithTheirReason() throws Exception {
        try (JobHarness h = new JobHarness(1500, 10)) {
            Path log = TestFiles.log("census-reinvite-fail");
            String db = io.wickrcensus.testing.TestDatabases.newDatabase("reinvitefail");
            // intents recorded, the first chunk sent; then the network moves on: many pending users activate
            assertThat(JobHarness.await(h.launchChild(db, "2026-11-20", "reinvite.after-call:1", log, "--reinvite", "on"))).isEqualTo(137);
            h.emulator.advanceDays(h.network, 90);
            assertThat(JobHarness.await(h.launchChild(db, "2026-11-20", null, log, "--reinvite", "on")))
                    .as(Files.readString(log)).isIn(ExitCodes.OK, ExitCodes.FAILED);
            try (var c = io.wickrcensus.testing.TestDatabases.connect(db); var rs = c.createStatement().executeQuery(
                    "SELECT field, reason FROM census.reinvitations WHERE outcome = 'FAILED'")) {
                assertThat(rs.next()).as("some re-invitations failed per item").isTrue();
                assertThat(rs.getString(1)).isEqualTo("userIds");
                assertThat(rs.getString(2)).isNotBlank();
            }
        }
    }
}
