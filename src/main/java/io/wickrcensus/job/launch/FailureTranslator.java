package io.wickrcensus.job.launch;

import io.wickrcensus.api.errors.ForbiddenException;
import io.wickrcensus.api.errors.NotTheApiException;
import io.wickrcensus.api.errors.ResourceNotFoundException;
import io.wickrcensus.api.errors.UnauthorizedException;
import io.wickrcensus.job.run.ExitCodes;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Comparator;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns the failures of a run into what the operator is told: an exit code, one line, and whether
 * the database was lost. Decided by the exceptions' types, never by the wording of a message.
 */
final class FailureTranslator {

    /** What a failed run tells the operator. */
    record Verdict(int exitCode, String message, boolean databaseLost) {
    }

    private FailureTranslator() {
    }

    static Verdict translate(List<Throwable> failures) {
        if (failures.isEmpty()) {
            return new Verdict(ExitCodes.FAILED, null, false);
        }
        Throwable telling = failures.stream().min(Comparator.comparingInt(FailureTranslator::vagueness)).orElseThrow();
        String message = oneLine(telling);
        int code = ExitCodes.FAILED;
        for (Throwable t : failures) {
            for (Throwable c = t; c != null; c = c.getCause()) {
                if (c instanceof ForbiddenException || c instanceof UnauthorizedException) {
                    code = ExitCodes.AUTH_FAILURE;
                    message = c.getMessage();
                } else if (c instanceof NotTheApiException && code != ExitCodes.AUTH_FAILURE) {
                    code = ExitCodes.BAD_CONFIGURATION;
                    message = c.getMessage();
                } else if (c instanceof ResourceNotFoundException && code == ExitCodes.FAILED) {
                    code = ExitCodes.BAD_CONFIGURATION;
                    message = c.getMessage() + " (is the network id right?)";
                }
            }
        }
        return new Verdict(code, message, failures.stream().anyMatch(FailureTranslator::databaseLost));
    }

    /** A connection lost or refused: SQLSTATE class 08, or 57P (the server shut down or restarted). */
    static boolean databaseLost(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLTransientConnectionException) {
                return true;
            }
            if (c instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * How little a failure says: an API error says most; Spring Batch's own summaries (such as a
     * partitioned step's "a partition failed", whose cause is recorded on the partition) least.
     */
    static int vagueness(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SdkException) {
                return 0;
            }
        }
        return t.getClass().getName().startsWith("org.springframework.batch.") ? 2 : 1;
    }

    /** The first non-blank message along the causes, on one line. */
    static String oneLine(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && (c.getMessage() == null || c.getMessage().isBlank())) {
            c = c.getCause();
        }
        String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        return m.replaceAll("\\s+", " ");
    }
}
