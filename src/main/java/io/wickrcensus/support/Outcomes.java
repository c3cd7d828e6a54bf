package io.wickrcensus.support;

import java.io.IOException;
import java.sql.SQLException;
import java.util.concurrent.ExecutionException;

/** The outcome of work done on another thread, as the caller's own: its failure thrown with its own type. */
public final class Outcomes {

    private Outcomes() {
    }

    /**
     * Throws {@code failure} (the cause of an {@link ExecutionException}, say) as what it is: an
     * SQL or I/O failure, an unchecked exception or an error; anything else wrapped in an I/O one.
     */
    public static RuntimeException rethrow(Throwable failure) throws SQLException, IOException {
        Throwable cause = failure instanceof ExecutionException e && e.getCause() != null ? e.getCause() : failure;
        if (cause instanceof SQLException s) {
            throw s;
        }
        if (cause instanceof IOException io) {
            throw io;
        }
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        throw new IOException(cause);
    }
}
