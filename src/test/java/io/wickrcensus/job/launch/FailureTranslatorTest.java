package io.wickrcensus.job.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.api.errors.WickrException;
import io.wickrcensus.job.run.ExitCodes;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.job.JobExecutionException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;

class FailureTranslatorTest {

    private static WickrException apiError(String name, int status, String message) {
        return (WickrException) WickrException.builder().operation("ListUsers").networkId("net00001")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(name).errorMessage(message).build())
                .statusCode(status).build();
    }

    @Test
    void aLostConnectionIsSqlStateClass08Or57POrATransientConnectionFailureAnywhereInTheCauses() {
        assertThat(FailureTranslator.databaseLost(new SQLException("refused", "08001"))).isTrue();
        assertThat(FailureTranslator.databaseLost(new SQLException("terminating connection", "57P01"))).isTrue();
        assertThat(FailureTranslator.databaseLost(new SQLTransientConnectionException("pool timed out"))).isTrue();
        assertThat(FailureTranslator.databaseLost(new CannotGetJdbcConnectionException("no connection",
                new SQLException("I/O error", "08006")))).as("wrapped by Spring").isTrue();
        assertThat(FailureTranslator.databaseLost(new IllegalStateException("step failed",
                new RuntimeException(new SQLException("shutting down", "57P03"))))).as("deep in the causes").isTrue();

        assertThat(FailureTranslator.databaseLost(new SQLException("duplicate key", "23505"))).isFalse();
        assertThat(FailureTranslator.databaseLost(new SQLException("no state"))).isFalse();
        assertThat(FailureTranslator.databaseLost(new IllegalStateException("reconcile failed"))).isFalse();
    }

    @Test
    void rejectedCredentialsAreAnAuthFailureWhateverElseFailed() {
        var v = FailureTranslator.translate(List.of(new JobExecutionException("a partition failed"),
                new IllegalStateException("wrapped", apiError("ForbiddenError", 403, "The security token is invalid"))));
        assertThat(v.exitCode()).isEqualTo(ExitCodes.AUTH_FAILURE);
        assertThat(v.message()).contains("ForbiddenError").contains("The security token is invalid");
        assertThat(FailureTranslator.translate(List.of(apiError("UnauthorizedError", 401, "no"))).exitCode())
                .isEqualTo(ExitCodes.AUTH_FAILURE);
    }

    @Test
    void anEndpointThatIsNotTheApiIsBadConfigurationNotTheNetworkId() {
        var v = FailureTranslator.translate(List.of(new IllegalStateException("step failed",
                io.wickrcensus.api.errors.NotTheApiException.of("ListUsers: http://x answered HTTP 404 with text/html"))));
        assertThat(v.exitCode()).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(v.message()).contains("text/html").doesNotContain("network id");
    }

    @Test
    void anUnknownNetworkIsBadConfigurationWithAHint() {
        var v = FailureTranslator.translate(List.of(apiError("ResourceNotFoundError", 404, "network not found")));
        assertThat(v.exitCode()).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(v.message()).endsWith("(is the network id right?)");
    }

    @Test
    void theMostTellingFailureIsReportedNotBatchsSummaryOfIt() {
        var v = FailureTranslator.translate(List.of(
                new JobExecutionException("Partition handler returned an unsuccessful step"),
                new IllegalStateException("network net00001 does not reconcile: users: staged 10, the service reports 12")));
        assertThat(v.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(v.message()).startsWith("network net00001 does not reconcile");
        assertThat(v.databaseLost()).isFalse();

        var api = FailureTranslator.translate(List.of(new IllegalStateException("step users failed"),
                apiError("InternalServerError", 500, "boom")));
        assertThat(api.message()).as("an API error says most").contains("InternalServerError");
    }

    @Test
    void aRunThatLostTheDatabaseSaysSoAndKeepsTheFailedCode() {
        var v = FailureTranslator.translate(List.of(new IllegalStateException("x", new SQLException("gone", "08006"))));
        assertThat(v.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(v.databaseLost()).isTrue();
    }

    @Test
    void theMessageIsOneLineFromTheFirstCauseThatSaysSomething() {
        assertThat(FailureTranslator.oneLine(new RuntimeException(null, new IllegalStateException("first\n  second"))))
                .isEqualTo("first second");
        assertThat(FailureTranslator.oneLine(new IllegalStateException())).isEqualTo("IllegalStateException");
    }
}
