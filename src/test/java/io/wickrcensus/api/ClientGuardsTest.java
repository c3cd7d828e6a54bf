package io.wickrcensus.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wickrcensus.api.errors.InvalidRequestException;
import io.wickrcensus.api.errors.MalformedResponseException;
import io.wickrcensus.api.model.ListUsersRequest;
import io.wickrcensus.api.model.User;
import java.time.Duration;
import java.util.List;
import io.wickrcensus.testing.StubApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** What the client refuses by itself: a network id that is not the model's, an answer whose figures are not numbers. */
class ClientGuardsTest {

    private StubApi stub;

    private WickrAdminClient clientAnswering(String json) throws Exception {
        stub = StubApi.answering(200, "application/json", json);
        return stub.client(2);
    }

    @AfterEach
    void stop() {
        if (stub != null) {
            stub.close();
        }
    }

    @Test
    void aGuestCountThatIsNotANumberIsAMalformedAnswerThatNamesTheField() throws Exception {
        try (WickrAdminClient c = clientAnswering("{\"history\":[{\"month\":\"2026_10\",\"count\":\"12\"},{\"month\":\"2026_11\",\"count\":\"n/a\"}]}")) {
            assertThatThrownBy(() -> c.getGuestUserHistoryCount("net00001")).isInstanceOf(MalformedResponseException.class)
                    .hasMessageContaining("history[1].count 'n/a', not a whole number");
            assertThat(stub.requests()).as("retried as any malformed answer is, then given up").isEqualTo(2);
        }
    }

    @Test
    void aGuestCountMonthThatIsNotOneIsMalformedToo() throws Exception {
        try (WickrAdminClient c = clientAnswering("{\"history\":[{\"month\":\"October\",\"count\":\"12\"}]}")) {
            assertThatThrownBy(() -> c.getGuestUserHistoryCount("net00001")).isInstanceOf(MalformedResponseException.class)
                    .hasMessageContaining("history[0].month 'October', not a month in the form YYYY_MM");
        }
    }

    /**
     * The users step's listing ({@code listAllUsersAsListed}) of a page the byte reader leaves to
     * Jackson (escapes in its strings) is the users Jackson reads; a page Jackson refuses is the
     * malformed answer every ListUsers caller gets.
     */
    @Test
    void aPageWithEscapesIsListedAsJacksonReadsItAndAMalformedOneIsRefusedAlike() throws Exception {
        String page = "{\"users\":[{\"userId\":\"u1\",\"firstName\":\"Jos\\u00e9\",\"lastName\":\"O\\\"Brien\",\"securityGroups\":[\"a\\\\b\"],"
                + "\"inviteCode\":\"SECRET\",\"status\":2,\"uname\":\"x1\"}]}";
        try (WickrAdminClient c = clientAnswering(page)) {
            ListUsersRequest all = ListUsersRequest.builder("net00001").maxResults(100).build();
            List<User> listed = new java.util.ArrayList<>();
            c.listAllUsersAsListed(all).forEach(u -> listed.add(u.toUser()));
            assertThat(listed).containsExactly(new User("u1", "José", "O\"Brien", null, List.of("a\\b"), null, null, 2, null, null, null,
                    null, null, null, null, null, null, "x1"));
            assertThat(listed).isEqualTo(c.listUsers(all).users());
        }
        stop();
        try (WickrAdminClient c = clientAnswering("{\"users\":[{\"userId\":\"u1\",\"status\":\"two\"}]}")) {
            assertThatThrownBy(() -> c.listAllUsersAsListed(ListUsersRequest.builder("net00001").build()).iterator().next())
                    .isInstanceOf(MalformedResponseException.class).hasMessageContaining("ListUsers answered HTTP 200");
        }
    }

    @Test
    void wellFormedCountsAreReadAsNumbersByPeriod() throws Exception {
        try (WickrAdminClient c = clientAnswering("{\"history\":[{\"month\":\"2026_10\",\"count\":\" 12 \"}]}")) {
            assertThat(c.getGuestUserHistoryCount("net00001").countsByBillingPeriod()).containsExactly(java.util.Map.entry("2026-10", 12L));
        }
    }

    @Test
    void aReinvitationIsRepeatedOnlyWhereTheServiceCannotHaveCarriedItOut() throws Exception {
        try (var emulator = io.wickrcensus.emulator.WickrEmulator.start(io.wickrcensus.emulator.EmulatorConfig.builder().users(300)
                .accessKey("AKID").secretKey("secret").ignoreClientTokens(true).build());
             WickrAdminClient c = WickrAdminClient.create(WickrClientConfig.builder().endpoint(emulator.endpoint()).maxAttempts(5)
                     .baseDelay(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(5)).throttlingBaseDelay(Duration.ofMillis(1))
                     .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKID", "secret"))).build())) {
            String net = emulator.networkIds().get(0);
            List<String> pending = new java.util.ArrayList<>();
            c.listAllUsers(ListUsersRequest.builder(net).maxResults(100).status(1).build()).forEach(u -> pending.add(u.userId()));
            emulator.faults().fail500(1.0);
            assertThatThrownBy(() -> c.batchReinviteUser(net, pending.subList(0, 2), "t1"))
                    .isInstanceOf(io.wickrcensus.api.errors.InternalServerException.class);
            assertThat(emulator.stats()).as("a server error may have re-invited: not sent again").containsEntry("BatchReinviteUser.500", 1L);
            emulator.faults().clear().malformed(1.0);
            assertThatThrownBy(() -> c.batchReinviteUser(net, pending.subList(2, 4), "t2")).isInstanceOf(MalformedResponseException.class);
            assertThat(emulator.reinvitations()).as("the answer was lost, the re-invitation happened, once").hasSize(2);
            emulator.faults().clear().fail429(1.0);
            assertThatThrownBy(() -> c.batchReinviteUser(net, pending.subList(4, 6), "t3"));
            assertThat(emulator.stats()).as("throttled: never carried out, so tried again").containsEntry("BatchReinviteUser.429", 5L);
            emulator.faults().clear();
            assertThat(c.batchReinviteUser(net, pending.subList(4, 6), "t3").successful()).hasSize(2);
        }
    }

    @Test
    void aNetworkIdThatIsNotEightCharactersIsRefusedBeforeAnyCall() throws Exception {
        try (WickrAdminClient c = clientAnswering("{}")) {
            for (String id : new String[] {"1234567", "123456789", "net/0001", "net 0001", ""}) {
                assertThatThrownBy(() -> c.getUsersCount(id)).as(id).isInstanceOf(InvalidRequestException.class)
                        .hasMessageContaining("must be exactly 8 characters");
                assertThatThrownBy(() -> c.listAllUsers(ListUsersRequest.builder(id).build()).iterator().next()).as(id)
                        .isInstanceOf(InvalidRequestException.class);
                assertThatThrownBy(() -> c.batchLookupUserUname(id, List.of("u"), null)).isInstanceOf(InvalidRequestException.class);
            }
            assertThat(stub.requests()).isEqualTo(0);
        }
    }
}
