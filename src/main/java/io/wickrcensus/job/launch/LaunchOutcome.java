package io.wickrcensus.job.launch;

/**
 * How one launch of a network's run ended.
 *
 * @param exitCode     the process exit code this launch asks for (see {@code ExitCodes})
 * @param databaseLost whether it failed because the database connection was lost (a restart, a
 *                     failover): such a run is worth resuming in-process once the database answers
 */
public record LaunchOutcome(int exitCode, boolean databaseLost) {

    public static LaunchOutcome of(int exitCode) {
        return new LaunchOutcome(exitCode, false);
    }
}
