package io.wickrcensus.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wickrcensus.api.Json;
import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.api.WickrClientConfig;
import io.wickrcensus.api.model.ListUsersRequest;
import io.wickrcensus.api.model.User;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import tools.jackson.databind.JsonNode;

class PrerenderedPagesTest {

    private static final List<YearMonth> PERIODS = List.of(YearMonth.of(2026, 10), YearMonth.of(2026, 11));

    private final ApiHandlers handlers = new ApiHandlers(42, Clock.systemUTC());

    @AfterEach
    void close() {
        handlers.closePrerendered();
    }

    private static SyntheticNetwork network() {
        return new SyntheticNetwork(42, "12345678", 1_050, 10, PERIODS, 0.05, 0);
    }

    /** Every page of ListUsers with these query parameters, following nextToken, as answered. */
    private List<byte[]> listing(SyntheticNetwork net, Map<String, String> query) {
        List<byte[]> pages = new ArrayList<>();
        Map<String, String> q = new HashMap<>(query);
        while (true) {
            byte[] page = handlers.listUsers(net, q, true);
            pages.add(page);
            JsonNode next = Json.MAPPER.readTree(page).get("nextToken");
            if (next == null) {
                return pages;
            }
            q.put("nextToken", next.asString());
        }
    }

    /**
     * The emulator's pages, rendered ahead or not, are plain enough for the client's own page reader
     * (its names beyond Latin-1 included), which reads them as Jackson does: the benchmarks measure
     * the path a real network's pages take.
     */
    @Test
    void theClientsPageReaderReadsEveryPageAsJacksonDoes() throws Exception {
        SyntheticNetwork net = network();
        handlers.prerender(net, true);
        int users = 0;
        for (Map<String, String> q : List.of(Map.of("maxResults", "100"), Map.of("maxResults", "37", "sortFields", "username"))) {
            for (byte[] page : listing(net, q)) {
                io.wickrcensus.api.model.ListUsersResponse read = io.wickrcensus.api.internal.UsersPageReader.read(page);
                assertThat(read).isNotNull().isEqualTo(Json.MAPPER.readValue(page, io.wickrcensus.api.model.ListUsersResponse.class));
                users += read.users().size();
            }
        }
        assertThat(users).isGreaterThan(2_000);
        assertThat(handlers.servedAhead.sum()).as("the plain listing came from the file").isEqualTo(11);
    }

    /** The listed user's isInviteExpired. */
    private static boolean expiredFlag(List<String> pages, String userId) {
        for (String page : pages) {
            for (JsonNode u : Json.MAPPER.readTree(page).get("users")) {
                if (u.get("userId").asString().equals(userId)) {
                    return u.get("isInviteExpired").asBoolean();
                }
            }
        }
        throw new AssertionError(userId + " is not listed");
    }

    private static List<String> text(List<byte[]> pages) {
        return pages.stream().map(p -> new String(p, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void thePagesRenderedAheadAreTheLivePagesByteForByte() throws Exception {
        SyntheticNetwork net = network();
        net.advanceDays(2); // users who left and joined: positions skip the gaps
        List<byte[]> live = listing(net, Map.of("maxResults", "100"));
        assertThat(handlers.servedAhead.sum()).isZero();
        handlers.prerender(net, true);
        assertThat(text(listing(net, Map.of("maxResults", "100")))).isEqualTo(text(live));
        assertThat(live).hasSize(11);
        assertThat(handlers.servedAhead.sum()).as("every page came from the file").isEqualTo(11);
    }

    @Test
    void onlyThePlainListingOfTheRenderedSizeIsServedFromTheFile() throws Exception {
        SyntheticNetwork net = network();
        handlers.prerender(net, true);
        assertThat(handlers.prerendered(net, true, 100, 0)).isNotNull();
        assertThat(handlers.prerendered(net, true, 50, 0)).as("another page size").isNull();
        assertThat(handlers.prerendered(net, false, 100, 0)).as("bots left out").isNull();
        assertThat(handlers.prerendered(net, true, 100, 7)).as("no page starts there").isNull();
        // filtered and smaller listings are still answered, live
        assertThat(text(listing(net, Map.of("maxResults", "100", "status", "1")))).isNotEmpty();
        assertThat(listing(net, Map.of("maxResults", "50"))).hasSize(21);
        // a token of another listing is refused as before
        String statusToken = Json.MAPPER.readTree(handlers.listUsers(net, Map.of("maxResults", "100", "status", "2"), true))
                .get("nextToken").asString();
        assertThatThrownBy(() -> handlers.listUsers(net, Map.of("maxResults", "100", "nextToken", statusToken), true))
                .isInstanceOf(ApiError.class).hasMessageContaining("not a token this listing issued");
    }

    @Test
    void aChangeOfTheNetworkIsListedLiveNotFromTheFile() throws Exception {
        SyntheticNetwork net = network();
        handlers.prerender(net, true);
        List<String> before = text(listing(net, Map.of("maxResults", "100")));

        EmulatedUser expired = null;
        for (int i = 0; expired == null; i++) {
            EmulatedUser u = net.user(i, 0);
            expired = u != null && u.isInviteExpired() ? u : null;
        }
        assertThat(expiredFlag(before, expired.userId())).isTrue();
        net.reinvite(expired.index());
        assertThat(handlers.prerendered(net, true, 100, 0)).as("re-invited since").isNull();
        List<String> afterReinvite = text(listing(net, Map.of("maxResults", "100")));
        assertThat(expiredFlag(afterReinvite, expired.userId())).as("the re-invited user, listed live").isFalse();

        net.advanceDays(1);
        assertThat(handlers.prerendered(net, true, 100, 0)).as("a day of churn since").isNull();
        handlers.prerender(net, true);
        assertThat(handlers.prerendered(net, true, 100, 0)).as("rendered again").isNotNull();
        List<String> rendered = text(listing(net, Map.of("maxResults", "100")));
        handlers.closePrerendered();
        assertThat(text(listing(net, Map.of("maxResults", "100")))).as("live, after the file is gone").isEqualTo(rendered);
    }

    @Test
    void overHttpTheJobsListingIsTheSameAndAChurnThroughTheSteeringEndpointRendersAgain() throws Exception {
        EmulatorConfig.Builder config = EmulatorConfig.builder().seed(5).users(250).guests(3).churnRate(0.1)
                .accessKey("AKAHEAD").secretKey("ahead-secret");
        try (WickrEmulator ahead = WickrEmulator.start(config.prerenderedPages(true).build());
             WickrEmulator live = WickrEmulator.start(config.prerenderedPages(false).build());
             WickrAdminClient toAhead = client(ahead);
             WickrAdminClient toLive = client(live)) {
            String net = ahead.networkIds().get(0);
            ListUsersRequest all = ListUsersRequest.builder(net).maxResults(100).build();
            List<User> dayZero = users(toAhead.listAllUsers(all));
            assertThat(dayZero).hasSize(250).isEqualTo(users(toLive.listAllUsers(all)));
            assertThat(ahead.stats()).containsEntry("ListUsers.renderedAhead", 3L);
            assertThat(live.stats()).doesNotContainKey("ListUsers.renderedAhead");

            for (WickrEmulator e : List.of(ahead, live)) {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        e.endpoint().resolve("/_emulator/networks/" + net + "/churn?days=1")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
            }
            List<User> afterChurn = users(toAhead.listAllUsers(all));
            assertThat(afterChurn).isEqualTo(users(toLive.listAllUsers(all))).isNotEqualTo(dayZero);
            assertThat(ahead.stats().get("ListUsers.renderedAhead")).as("the new day's pages, rendered again").isEqualTo(6L);
        }
    }

    private static List<User> users(Iterable<User> listed) {
        List<User> out = new ArrayList<>();
        listed.forEach(out::add);
        return out;
    }

    private static WickrAdminClient client(WickrEmulator e) {
        return WickrAdminClient.create(WickrClientConfig.builder().region("us-east-1").endpoint(e.endpoint())
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKAHEAD", "ahead-secret"))).build());
    }
}
