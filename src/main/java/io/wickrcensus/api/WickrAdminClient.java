package io.wickrcensus.api;

import io.wickrcensus.api.errors.InvalidRequestException;
import io.wickrcensus.api.errors.MalformedResponseException;
import io.wickrcensus.api.Json;
import io.wickrcensus.api.internal.SignedHttpCaller;
import io.wickrcensus.api.model.BatchLookupUserUnameResponse;
import io.wickrcensus.api.model.BatchReinviteUserResponse;
import io.wickrcensus.api.model.GuestUser;
import io.wickrcensus.api.model.BotsCount;
import io.wickrcensus.api.model.GuestUserHistoryCount;
import io.wickrcensus.api.model.ListGuestUsersRequest;
import io.wickrcensus.api.model.ListGuestUsersResponse;
import io.wickrcensus.api.internal.UsersPageReader;
import io.wickrcensus.api.model.ListUsersRequest;
import io.wickrcensus.api.model.ListUsersResponse;
import io.wickrcensus.api.model.ListedUser;
import io.wickrcensus.api.model.ListedUsersPage;
import io.wickrcensus.api.model.User;
import io.wickrcensus.api.model.UsersCount;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * A typed client of the Wickr Admin API (service {@code wickr}, API version 2024-02-01), built on
 * the AWS SDK for Java v2 core modules: SigV4 signing, the default credentials chain, the pooled
 * Apache HTTP client and the SDK's standard retry strategy.
 *
 * <p>Thread-safe; share one instance and close it when done.
 */
public final class WickrAdminClient implements AutoCloseable {

    public static final int MAX_BATCH_ITEMS = 50;
    public static final int MAX_PAGE_SIZE = 100;
    static final String USER_AGENT = "wickr-census/0.1 (aws-sdk-java-v2 core)";

    private final WickrClientConfig config;
    private final URI endpoint;
    private final SignedHttpCaller caller;

    private WickrAdminClient(WickrClientConfig config, ApiCallListener listener) {
        this.config = config;
        this.endpoint = config.effectiveEndpoint();
        boolean ownsCredentials = config.credentials() == null;
        AwsCredentialsProvider credentials = ownsCredentials ? DefaultCredentialsProvider.builder().build() : config.credentials();
        var http = ApacheHttpClient.builder()
                .connectionTimeout(config.connectTimeout())
                .socketTimeout(config.readTimeout())
                .connectionAcquisitionTimeout(config.apiCallTimeout())
                .maxConnections(config.maxConnections())
                .tcpKeepAlive(true)
                .expectContinueEnabled(false)
                .build();
        this.caller = new SignedHttpCaller(config, http, credentials, ownsCredentials, listener);
    }

    public static WickrAdminClient create(WickrClientConfig config) {
        return new WickrAdminClient(config, ApiCallListener.NONE);
    }

    public static WickrAdminClient create(WickrClientConfig config, ApiCallListener listener) {
        return new WickrAdminClient(config, listener);
    }

    // ---- ListUsers ----------------------------------------------------------------------------

    public ListUsersResponse listUsers(ListUsersRequest r) {
        return listUsers(r, ListUsersResponse.class);
    }

    /** A page of ListUsers with its users as the page listed them ({@link ListedUser}: strings as the body's bytes). */
    public ListedUsersPage listUsersAsListed(ListUsersRequest r) {
        return listUsers(r, ListedUsersPage.class);
    }

    private <P> P listUsers(ListUsersRequest r, Class<P> type) {
        requireNetwork(r.networkId());
        checkPageSize(r.maxResults());
        Map<String, String> q = new LinkedHashMap<>();
        put(q, "nextToken", r.nextToken());
        put(q, "maxResults", r.maxResults());
        put(q, "sortFields", r.sortFields());
        put(q, "sortDirection", r.sortDirection());
        put(q, "firstName", r.firstName());
        put(q, "lastName", r.lastName());
        put(q, "username", r.username());
        put(q, "status", r.status());
        put(q, "groupId", r.groupId());
        return get("ListUsers", r.networkId(), "/users", q, type);
    }

    /** Every page of ListUsers, fetched lazily; starts from {@code r.nextToken()} if one is given. */
    public Paginator<ListUsersResponse> listUsersPaginator(ListUsersRequest r) {
        return usersPaginator(r, this::listUsers, ListUsersResponse::nextToken);
    }

    private static <P> Paginator<P> usersPaginator(ListUsersRequest r, Function<ListUsersRequest, P> page, Function<P, String> nextToken) {
        requireNetwork(r.networkId());
        checkPageSize(r.maxResults());
        return new Paginator<>("ListUsers", r.nextToken(), t -> page.apply(r.withNextToken(t)), nextToken);
    }

    /** Every user, one page in memory at a time. */
    public Iterable<User> listAllUsers(ListUsersRequest r) {
        return listUsersPaginator(r).items(ListUsersResponse::users);
    }

    /** Every user as the pages listed them ({@link ListedUser}), one page in memory at a time: the job's users step. */
    public Iterable<ListedUser> listAllUsersAsListed(ListUsersRequest r) {
        return usersPaginator(r, this::listUsersAsListed, ListedUsersPage::nextToken).items(ListedUsersPage::users);
    }

    // ---- ListGuestUsers -----------------------------------------------------------------------

    public ListGuestUsersResponse listGuestUsers(ListGuestUsersRequest r) {
        requireNetwork(r.networkId());
        checkPageSize(r.maxResults());
        Map<String, String> q = new LinkedHashMap<>();
        put(q, "maxResults", r.maxResults());
        put(q, "sortDirection", r.sortDirection());
        put(q, "sortFields", r.sortFields());
        put(q, "username", r.username());
        put(q, "billingPeriod", r.billingPeriod());
        put(q, "nextToken", r.nextToken());
        return get("ListGuestUsers", r.networkId(), "/guest-users", q, ListGuestUsersResponse.class);
    }

    public Paginator<ListGuestUsersResponse> listGuestUsersPaginator(ListGuestUsersRequest r) {
        requireNetwork(r.networkId());
        checkPageSize(r.maxResults());
        return new Paginator<>("ListGuestUsers", r.nextToken(), t -> listGuestUsers(r.withNextToken(t)),
                ListGuestUsersResponse::nextToken);
    }

    public Iterable<GuestUser> listAllGuestUsers(ListGuestUsersRequest r) {
        return listGuestUsersPaginator(r).items(ListGuestUsersResponse::guestlist);
    }

    // ---- batches ------------------------------------------------------------------------------

    /** Resolves at most 50 unames; {@code clientToken} may be null (a random UUID is sent). */
    public BatchLookupUserUnameResponse batchLookupUserUname(String networkId, List<String> unames, String clientToken) {
        requireNetwork(networkId);
        checkBatch("unames", unames);
        return send("BatchLookupUserUname", SdkHttpMethod.POST, networkId, "/users/uname-lookup",
                Map.of("unames", unames), clientToken, BatchLookupUserUnameResponse.class, true);
    }

    /**
     * Re-invites at most 50 users, at most once: the call is repeated only where the service cannot
     * have carried it out (throttled, never connected), since the model does not say how long it
     * remembers the {@code clientToken} it marks as an idempotency token. A server error, timeout
     * or dropped connection is thrown at once: whether the users were re-invited is then unknown.
     */
    public BatchReinviteUserResponse batchReinviteUser(String networkId, List<String> userIds, String clientToken) {
        requireNetwork(networkId);
        checkBatch("userIds", userIds);
        return send("BatchReinviteUser", SdkHttpMethod.PATCH, networkId, "/users/re-invite",
                Map.of("userIds", userIds), clientToken, BatchReinviteUserResponse.class, false);
    }

    // ---- counts -------------------------------------------------------------------------------

    public UsersCount getUsersCount(String networkId) {
        requireNetwork(networkId);
        return get("GetUsersCount", networkId, "/users/count", Map.of(), UsersCount.class);
    }

    /** GetBotsCount: the bots, counted apart from the users. */
    public BotsCount getBotsCount(String networkId) {
        requireNetwork(networkId);
        return get("GetBotsCount", networkId, "/bots/count", Map.of(), BotsCount.class);
    }

    public GuestUserHistoryCount getGuestUserHistoryCount(String networkId) {
        requireNetwork(networkId);
        return get("GetGuestUserHistoryCount", networkId, "/guest-users/count", Map.of(), GuestUserHistoryCount.class,
                GuestUserHistoryCount::countsByBillingPeriod);
    }

    // ---- plumbing -----------------------------------------------------------------------------

    private <T> T get(String operation, String networkId, String suffix, Map<String, String> query, Class<T> type) {
        return get(operation, networkId, suffix, query, type, v -> { });
    }

    /** A GET whose answer {@code check} also reads: an IllegalArgumentException from it is a malformed answer (retried). */
    private <T> T get(String operation, String networkId, String suffix, Map<String, String> query, Class<T> type,
                      java.util.function.Consumer<T> check) {
        SdkHttpFullRequest.Builder b = request(SdkHttpMethod.GET, networkId, suffix);
        query.forEach(b::putRawQueryParameter);
        Function<SignedHttpCaller.Answer, T> parse = parser(operation, type);
        return caller.call(operation, networkId, b.build(), null, answer -> {
            T value = parse.apply(answer);
            try {
                check.accept(value);
            } catch (IllegalArgumentException e) {
                throw MalformedResponseException.of(operation + " answered " + e.getMessage(), e);
            }
            return value;
        });
    }

    private <T> T send(String operation, SdkHttpMethod method, String networkId, String suffix, Object body,
                       String clientToken, Class<T> type, boolean repeatable) {
        byte[] json = Json.MAPPER.writeValueAsBytes(body);
        SdkHttpFullRequest request = request(method, networkId, suffix)
                .putHeader("Content-Type", "application/json")
                .putHeader("X-Client-Token", clientToken == null ? UUID.randomUUID().toString() : clientToken)
                .build();
        return caller.call(operation, networkId, request, json, parser(operation, type), repeatable);
    }

    private SdkHttpFullRequest.Builder request(SdkHttpMethod method, String networkId, String suffix) {
        String basePath = endpoint.getRawPath() == null ? "" : endpoint.getRawPath().replaceAll("/+$", "");
        return SdkHttpFullRequest.builder()
                .method(method)
                .protocol(endpoint.getScheme())
                .host(endpoint.getHost())
                .port(endpoint.getPort() == -1 ? null : endpoint.getPort())
                .encodedPath(basePath + "/networks/" + SdkHttpUtils.urlEncode(networkId) + suffix)
                .putHeader("User-Agent", USER_AGENT)
                .putHeader("Accept", "application/json");
    }

    private static <T> Function<SignedHttpCaller.Answer, T> parser(String operation, Class<T> type) {
        return answer -> {
            try {
                if (type == ListUsersResponse.class) {
                    ListUsersResponse page = UsersPageReader.read(answer.body());
                    if (page != null) {
                        return type.cast(page);
                    }
                }
                if (type == ListedUsersPage.class) {
                    ListedUsersPage page = UsersPageReader.readListed(answer.body());
                    // a page the byte reader leaves to Jackson is read as ListUsers always is, with its errors
                    return type.cast(page != null ? page : ListedUsersPage.of(jackson(operation, answer, ListUsersResponse.class)));
                }
                return jackson(operation, answer, type);
            } catch (MalformedResponseException e) {
                throw e;
            } catch (RuntimeException e) {
                throw MalformedResponseException.of(operation + " answered HTTP " + answer.response().statusCode()
                        + " with a body that is not the expected JSON (" + answer.body().length + " bytes)", e);
            }
        };
    }

    /** The body read by Jackson; an empty one is malformed (other failures are the caller's to report). */
    private static <T> T jackson(String operation, SignedHttpCaller.Answer answer, Class<T> type) {
        T value = Json.MAPPER.readValue(answer.body(), type);
        if (value == null) {
            throw MalformedResponseException.of(operation + " answered an empty body", null);
        }
        return value;
    }

    private static void put(Map<String, String> q, String name, Object value) {
        if (value != null) {
            q.put(name, value.toString());
        }
    }

    /** The model's constraint on a networkId: exactly 8 characters (and none that a URL path would mangle). */
    public static final java.util.regex.Pattern NETWORK_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{8}");

    /** What is wrong with {@code networkId} as the model's networkId, or null when nothing is. */
    public static String networkIdProblem(String networkId) {
        return networkId != null && NETWORK_ID.matcher(networkId).matches() ? null
                : "network id '" + networkId + "' must be exactly 8 characters (letters, digits, '-' or '_'), as the Wickr Admin API's "
                        + "networkId is";
    }

    private static void requireNetwork(String networkId) {
        String problem = networkIdProblem(networkId);
        if (problem != null) {
            throw new InvalidRequestException(problem);
        }
    }

    private static void checkPageSize(Integer maxResults) {
        if (maxResults != null && (maxResults < 1 || maxResults > MAX_PAGE_SIZE)) {
            throw new InvalidRequestException("maxResults must be between 1 and " + MAX_PAGE_SIZE + ", got " + maxResults);
        }
    }

    private static void checkBatch(String field, List<String> items) {
        if (items == null || items.isEmpty()) {
            throw new InvalidRequestException(field + " must hold at least one item");
        }
        if (items.size() > MAX_BATCH_ITEMS) {
            throw new InvalidRequestException(field + " holds " + items.size() + " items; the API takes at most "
                    + MAX_BATCH_ITEMS + " per call");
        }
    }

    @Override
    public void close() {
        caller.close();
    }
}
