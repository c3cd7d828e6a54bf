package io.wickrcensus.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.http.SdkHttpResponse;

/** Which refusals re-sign with the service's time, as the AWS SDKs decide it. */
class SkewSuspicionTest {

    private static SdkHttpResponse refusal(int status, String errorType, Duration serviceAhead) {
        return SdkHttpResponse.builder().statusCode(status).putHeader("X-Amzn-ErrorType", errorType)
                .putHeader("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plus(serviceAhead)))
                .build();
    }

    @ParameterizedTest(name = "{0} {1}, Date {2} s off: corrected {3}")
    @CsvSource({
        "400, RequestExpired, 120, true",
        "400, RequestTimeTooSkewed, -120, true",
        "403, RequestInTheFuture, 60, true",
        "400, InvalidSignatureException, 120, false",
        "400, InvalidSignatureException, 300, true",
        "403, SignatureDoesNotMatch, -300, true",
        "401, AuthFailure, 300, true",
        "403, ForbiddenError, 300, true",
        "403, ForbiddenError, 120, false",
        "401, UnauthorizedError, -600, true",
        "400, BadRequestError, 3600, false",
        "422, ValidationError, 3600, false",
        "500, InternalServerError, 3600, false",
        "400, RequestExpired, 0, false",
    })
    void asTheSdksDo(int status, String code, long seconds, boolean corrected) {
        SdkHttpResponse response = refusal(status, code, Duration.ofSeconds(seconds));
        var error = ErrorResponseParser.parse("GetUsersCount", "12345678", response, "{}".getBytes(StandardCharsets.UTF_8));
        Duration offset = SignedHttpCaller.correctedOffset(response, Duration.ZERO, SignedHttpCaller.skewSuspected(error));
        if (corrected) {
            assertThat(offset).isNotNull();
            assertThat(offset.toSeconds()).isBetween(seconds - 2, seconds + 2);
        } else {
            assertThat(offset).isNull();
        }
    }
}
