package io.wickrcensus.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.api.model.GuestUser;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticNetworkTest {

    private static final List<YearMonth> PERIODS = List.of(YearMonth.of(2026, 9), YearMonth.of(2026, 10), YearMonth.of(2026, 11));

    private static SyntheticNetwork network(long seed, int users) {
        return new SyntheticNetwork(seed, "12345678", users, 500, PERIODS, 0.01, 0);
    }

    private static List<EmulatedUser> members(SyntheticNetwork n, int day) {
        List<EmulatedUser> out = new ArrayList<>();
        for (int i = 0; i < n.indexSpace(day); i++) {
            EmulatedUser u = n.user(i, day);
            if (u != null) {
                out.add(u);
            }
        }
        return out;
    }

    @Test
    void theSameSeedServesTheSameNetworkAndAnotherSeedAnother() {
        assertThat(members(network(7, 2000), 0)).isEqualTo(members(network(7, 2000), 0));
        assertThat(members(network(8, 2000), 0)).isNotEqualTo(members(network(7, 2000), 0));
        assertThat(network(7, 2000).guest(1, 3)).isEqualTo(network(7, 2000).guest(1, 3));
    }

    @Test
    void theNetworkLooksLikeARealOne() {
        List<EmulatedUser> users = members(network(42, 5000), 0);
        assertThat(users).hasSize(5000);
        assertThat(users).filteredOn(u -> u.status() == 1).hasSizeBetween(400, 1200);
        assertThat(users).filteredOn(u -> u.status() == 1 && u.isInviteExpired()).isNotEmpty();
        assertThat(users).filteredOn(u -> u.status() == 2).allMatch(u -> !u.isInviteExpired() && u.inviteCode() == null);
        assertThat(users).filteredOn(u -> u.status() == 1).allMatch(u -> u.inviteCode() != null);
        assertThat(users).filteredOn(EmulatedUser::isAdmin).hasSizeBetween(50, 300);
        assertThat(users).filteredOn(EmulatedUser::suspended).isNotEmpty();
        assertThat(users).filteredOn(EmulatedUser::otpEnabled).hasSizeBetween(2500, 3500);
        assertThat(users).filteredOn(u -> u.username().endsWith("bot")).isNotEmpty()
                .allMatch(u -> !u.isUser() && u.type().equals("bot"));
        assertThat(users).filteredOn(u -> !u.firstName().chars().allMatch(c -> c < 128)).isNotEmpty();
        Set<String> groups = new HashSet<>();
        users.forEach(u -> groups.addAll(u.securityGroups()));
        assertThat(groups).hasSizeGreaterThanOrEqualTo(5);
        assertThat(users).extracting(EmulatedUser::uname).doesNotHaveDuplicates().allMatch(u -> u.matches("[0-9a-f]{64}"));
        assertThat(users).extracting(EmulatedUser::username).doesNotHaveDuplicates();
        assertThat(users).extracting(EmulatedUser::userId).doesNotHaveDuplicates();
    }

    @Test
    void everyUnameAndGuestHashResolvesAndStrangersFail() {
        SyntheticNetwork n = network(42, 300);
        for (EmulatedUser u : members(n, 0)) {
            assertThat(n.lookup(u.uname(), 0).username()).isEqualTo(u.username());
        }
        int privateGuests = 0;
        for (int k = 0; k < 500; k++) {
            GuestUser g = n.guest(2, k);
            SyntheticNetwork.Lookup l = n.lookup(g.usernameHash(), 0);
            if (l.username() == null) {
                privateGuests++;
                assertThat(l.reason()).isNotBlank();
            } else {
                assertThat(l.username()).isEqualTo(g.username());
            }
        }
        assertThat(privateGuests).as("some guests' networks do not share usernames").isBetween(1, 40);
        assertThat(n.lookup("0".repeat(64), 0).reason()).contains("not found");
        assertThat(n.lookup("abc", 0).reason()).contains("not found");
        String other = network(43, 300).user(5, 0).uname();
        assertThat(n.lookup(other, 0).username()).as("another network's uname").isNull();
    }

    @Test
    void aLookupAnswersWhatTheUserIsOnTheDayIncludingThoseWhoLeft() {
        SyntheticNetwork n = new SyntheticNetwork(42, "12345678", 400, 10, PERIODS, 0.2, 0);
        List<EmulatedUser> dayZero = members(n, 0);
        n.advanceDays(3);
        int left = 0;
        for (EmulatedUser was : dayZero) {
            EmulatedUser now = n.user(was.index(), 3);
            SyntheticNetwork.Lookup l = n.lookup(was.uname(), 3);
            if (now == null) {
                left++;
                assertThat(l.username()).isNull();
                assertThat(l.reason()).isEqualTo("user is no longer a member of this network");
            } else {
                assertThat(l.username()).isEqualTo(now.username()).isEqualTo(was.username());
            }
        }
        assertThat(left).as("users who left in three days of 20% churn").isBetween(40, 200);
    }

    @Test
    void guestsRecurAcrossPeriods() {
        SyntheticNetwork n = network(42, 100);
        Set<String> sept = new HashSet<>();
        Set<String> oct = new HashSet<>();
        for (int k = 0; k < 500; k++) {
            sept.add(n.guest(0, k).usernameHash());
            oct.add(n.guest(1, k).usernameHash());
        }
        assertThat(sept).hasSize(500);
        Set<String> both = new HashSet<>(sept);
        both.retainAll(oct);
        assertThat(both.size()).as("returning guests").isBetween(250, 400);
        assertThat(n.guest(1, 0).billingPeriod()).isEqualTo("2026-10");
    }

    @Test
    void withGuestVariationTheCountsVaryByTheSeedAndSomeGuestsReturnAfterAGap() {
        List<YearMonth> year = new ArrayList<>();
        for (int m = 0; m < 12; m++) {
            year.add(YearMonth.of(2025, 12).plusMonths(m));
        }
        SyntheticNetwork n = new SyntheticNetwork(42, "12345678", 100, 1000, year, 0.01, 0, true);
        List<Integer> counts = new ArrayList<>();
        List<Set<String>> guests = new ArrayList<>();
        for (int p = 0; p < year.size(); p++) {
            int count = n.guestCount(p, 0);
            counts.add(count);
            Set<String> hashes = new HashSet<>();
            for (int k = 0; k < count; k++) {
                hashes.add(n.guest(p, k).usernameHash());
            }
            assertThat(hashes).as("distinct guests of period " + p).hasSize(count);
            guests.add(hashes);
        }
        assertThat(counts.get(11)).as("the latest period: --guests, and its returners").isBetween(1000, 1100);
        assertThat(counts.stream().distinct().count()).as("counts vary").isGreaterThan(6);
        int min = counts.stream().mapToInt(Integer::intValue).min().orElseThrow();
        assertThat(min).as("a quiet month").isLessThan(counts.get(11) * 6 / 10);
        int gapReturns = 0;
        for (int p = 2; p < year.size(); p++) {
            for (String g : guests.get(p)) {
                gapReturns += guests.get(p - 2).contains(g) && !guests.get(p - 1).contains(g) ? 1 : 0;
            }
        }
        assertThat(gapReturns).as("guests back after a period away").isGreaterThan(100);
        SyntheticNetwork other = new SyntheticNetwork(43, "12345678", 100, 1000, year, 0.01, 0, true);
        List<Integer> otherCounts = new ArrayList<>();
        for (int p = 0; p < year.size(); p++) {
            otherCounts.add(other.guestCount(p, 0));
        }
        assertThat(otherCounts).as("another seed, other counts").isNotEqualTo(counts);
        SyntheticNetwork flat = network(42, 100);
        assertThat(flat.guestCount(0, 0)).as("without variation, every period holds --guests").isEqualTo(flat.guestCount(2, 0)).isEqualTo(500);
    }

    @Test
    void theCountsKindOfEveryUserIsWhatTheUserItselfSays() {
        SyntheticNetwork n = new SyntheticNetwork(42, "12345678", 3000, 10, PERIODS, 0.2, 0);
        for (int d : new int[] {0, 3, 9}) {
            int absent = 0;
            for (int i = 0; i < n.indexSpace(d) + 5; i++) {
                EmulatedUser u = n.user(i, d);
                int kind = n.kind(i, d);
                if (u == null) {
                    absent++;
                    assertThat(kind).as("user %d on day %d", i, d).isEqualTo(SyntheticNetwork.ABSENT);
                } else {
                    assertThat(kind).as("user %d on day %d", i, d)
                            .isEqualTo((u.isUser() ? SyntheticNetwork.PENDING_USER : SyntheticNetwork.PENDING_BOT) + (u.status() == 1 ? 0 : 1));
                }
            }
            assertThat(absent).as("day %d has leavers and the indices past the end", d).isGreaterThan(d == 0 ? 4 : 100);
        }
    }

    @Test
    void aDayOfChurnChangesAFewUsersAndLeavesTheRestAlone() {
        SyntheticNetwork n = network(42, 10_000);
        List<EmulatedUser> before = members(n, 0);
        n.advanceDays(1);
        List<EmulatedUser> after = members(n, 1);
        Set<String> beforeIds = new HashSet<>();
        before.forEach(u -> beforeIds.add(u.userId()));
        Set<String> afterIds = new HashSet<>();
        after.forEach(u -> afterIds.add(u.userId()));
        long left = beforeIds.stream().filter(id -> !afterIds.contains(id)).count();
        long joined = afterIds.stream().filter(id -> !beforeIds.contains(id)).count();
        assertThat(left).isBetween(20L, 90L);
        assertThat(joined).isEqualTo(50L);
        long adminOrSuspensionChanged = before.stream()
                .filter(b -> afterIds.contains(b.userId()))
                .filter(b -> {
                    EmulatedUser a = n.user(b.index(), 1);
                    return a.isAdmin() != b.isAdmin() || a.suspended() != b.suspended() || a.otpEnabled() != b.otpEnabled();
                }).count();
        assertThat(adminOrSuspensionChanged).isBetween(20L, 150L);
        assertThat(n.guestCount(2, 1)).isGreaterThan(n.guestCount(2, 0));
        assertThat(n.guestCount(0, 1)).isEqualTo(n.guestCount(0, 0));
        assertThat(members(network(42, 10_000), 0)).as("day 0 is still day 0").isEqualTo(before);
    }

    @Test
    void aReinvitedUsersInvitationIsFreshAgain() {
        SyntheticNetwork n = network(42, 2000);
        EmulatedUser expired = members(n, 0).stream().filter(EmulatedUser::isInviteExpired).findFirst().orElseThrow();
        n.reinvite(expired.index());
        EmulatedUser after = n.user(expired.index(), 0);
        assertThat(after.isInviteExpired()).isFalse();
        assertThat(after.inviteCode()).isNotEqualTo(expired.inviteCode());
    }
}
