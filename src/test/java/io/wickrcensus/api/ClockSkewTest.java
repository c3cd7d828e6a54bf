package io.wickrcensus.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wickrcensus.api.errors.ForbiddenException;
import io.wickrcensus.emulator.EmulatorConfig;
import io.wickrcensus.emulator.WickrEmulator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** A host whose clock is minutes off the service's: the client learns the offset from the rejection's Date header. */
class ClockSkewTest {

    private static WickrAdminClient client(WickrEmulator e, String secret) {
        return WickrAdminClient.create(WickrClientConfig.builder().endpoint(e.endpoint()).maxAttempts(2)
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSKEW", secret))).build());
    }

    private static WickrEmulator emulator(long skewSeconds) throws Exception {
        return emulator(skewSeconds, EmulatorConfig.ExpiredSignature.FORBIDDEN);
    }

    private static WickrEmulator emulator(long skewSeconds, EmulatorConfig.ExpiredSignature answer) throws Exception {
        return WickrEmulator.start(EmulatorConfig.builder().users(50).accessKey("AKIDSKEW").secretKey("skew-secret")
                .clockSkewSeconds(skewSeconds).expiredSignature(answer).build());
    }

    /** A service that says "expired" with a 400 (RequestExpired, InvalidSignatureException) is corrected as a 403 is, in one more call. */
    @ParameterizedTest(name = "refused as {0}")
    @EnumSource(EmulatorConfig.ExpiredSignature.class)
    void aSkewedHostIsCorrectedWhicheverWayTheServiceSaysTheSignatureExpired(EmulatorConfig.ExpiredSignature answer) throws Exception {
        try (WickrEmulator e = emulator(-1200, answer); WickrAdminClient c = client(e, "skew-secret")) {
            String net = e.networkIds().get(0);
            assertThat(c.getUsersCount(net).total()).isPositive();
            assertThat(c.getBotsCount(net).total()).isNotNegative();
            assertThat(e.stats()).as("one refusal, one corrected call, then the next call signed right")
                    .containsEntry("GetUsersCount." + answer.status, 1L).containsEntry("GetUsersCount.200", 1L)
                    .containsEntry("GetBotsCount.200", 1L).doesNotContainKey("GetBotsCount." + answer.status);
        }
    }

    @ParameterizedTest(name = "service clock {0} s off")
    @ValueSource(longs = {1200, -1200, 3 * 3600})
    void aSkewedHostIsCorrectedOnceAndStaysCorrected(long skew) throws Exception {
        try (WickrEmulator e = emulator(skew); WickrAdminClient c = client(e, "skew-secret")) {
            String net = e.networkIds().get(0);
            assertThat(c.getUsersCount(net).total()).isPositive();
            assertThat(c.getUsersCount(net).total()).isPositive();
            assertThat(c.listAllUsers(io.wickrcensus.api.model.ListUsersRequest.builder(net).maxResults(100).build()))
                    .hasSize(50);
            assertThat(e.stats()).as("one rejection, then every call signed with the service's time")
                    .containsEntry("GetUsersCount.403", 1L).containsEntry("GetUsersCount.200", 2L).doesNotContainKey("ListUsers.403");
        }
    }

    @Test
    void aWrongSecretIsStillRejectedAndNotRetriedForever() throws Exception {
        try (WickrEmulator e = emulator(1200); WickrAdminClient c = client(e, "not-the-secret")) {
            assertThatThrownBy(() -> c.getUsersCount(e.networkIds().get(0))).isInstanceOf(ForbiddenException.class);
            assertThat(e.stats()).as("the skewed attempt and one corrected attempt").containsEntry("GetUsersCount.403", 2L);
        }
    }

    @Test
    void aHostClockWithinMinutesOfTheServiceIsLeftAlone() throws Exception {
        try (WickrEmulator e = emulator(60); WickrAdminClient c = client(e, "skew-secret")) {
            assertThat(c.getUsersCount(e.networkIds().get(0)).total()).isPositive();
            assertThat(e.stats()).doesNotContainKey("GetUsersCount.403");
        }
    }
}
