package io.wickrcensus.db;

/**
 * The one definition of "each staged user's last row": publish makes exactly these rows the
 * roster of a run, so the reconciliation, the re-invitation, the Parquet head start and publish
 * itself all read the staged users through it. Staging ({@code census.stage_user}) keeps every row
 * a user was listed with, in the order listed ({@code seq}); where the service's paging moved
 * under a change and listed a user twice, the last row wins.
 */
public final class StagedUsers {

    private StagedUsers() {
    }

    /**
     * {@code SELECT columns} of each staged user's last row, aliased {@code s}, of run {@code ?}
     * (the first parameter), of the users {@code filter} keeps ({@code ""} or {@code "AND ..."}),
     * ordered by user. {@code listedOnce}: the users step recorded that it staged each user once
     * ({@code census.stage_user_once}), so every row is its user's last and no sort is needed (the
     * rows then come in staging order).
     */
    public static String lastRows(String columns, String filter, boolean listedOnce) {
        String from = " FROM census.stage_user s WHERE s.run_id = ? " + filter;
        return listedOnce ? "SELECT " + columns + from
                : "SELECT DISTINCT ON (s.user_id) " + columns + from + " ORDER BY s.user_id, s.seq DESC";
    }
}
