package io.wickrcensus.job.run;

/** The process exit codes, documented in the README. */
public final class ExitCodes {
    /** Done. */
    public static final int OK = 0;
    /** A failure (the database could not be reached, too); running the same command again resumes where it stopped. */
    public static final int FAILED = 1;
    /** Bad command line or configuration (unknown network, database credentials or grants, no AWS credentials): nothing was changed. */
    public static final int BAD_CONFIGURATION = 2;
    /** The run for this network and date was already published; nothing was done. */
    public static final int ALREADY_COMPLETE = 3;
    /** Another launch for the same network and date is running; this one refused to start. */
    public static final int CONCURRENT_LAUNCH = 4;
    /** The service rejected the credentials or the caller may not act on the network (401/403). */
    public static final int AUTH_FAILURE = 5;
    /** Stopped by SIGTERM at a chunk boundary (128 + 15, as the shell reports it); running the same command again resumes. */
    public static final int STOPPED = 143;
    /** A report found no published snapshot to report on (unknown network, period not captured, empty database). */
    public static final int NO_DATA = 6;

    /**
     * The codes a scheduler should not retry: the same command fails the same way until a person
     * changes something (the Kubernetes examples' podFailurePolicy fails the Job on exactly these).
     */
    public static final java.util.Set<Integer> FINAL = java.util.Set.of(BAD_CONFIGURATION, AUTH_FAILURE);

    private ExitCodes() {
    }

    /** The code of a database that cannot be used: retried when it could not be reached, else bad configuration. */
    public static int of(io.wickrcensus.db.DatabaseLocation.DatabaseUnavailableException e) {
        return e instanceof io.wickrcensus.db.DatabaseLocation.DatabaseUnreachableException ? FAILED : BAD_CONFIGURATION;
    }

    /** The code that tells most about several outcomes: any failure beats success. */
    public static int worst(int a, int b) {
        return rank(a) >= rank(b) ? a : b;
    }

    private static int rank(int code) {
        return switch (code) {
            case OK -> 0;
            case ALREADY_COMPLETE -> 1;
            case CONCURRENT_LAUNCH -> 2;
            case FAILED -> 3;
            case BAD_CONFIGURATION -> 4;
            default -> 5;
        };
    }
}
