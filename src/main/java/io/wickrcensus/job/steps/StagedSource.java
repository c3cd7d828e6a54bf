package io.wickrcensus.job.steps;

import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.api.model.GuestUser;
import io.wickrcensus.api.model.ListGuestUsersRequest;
import io.wickrcensus.api.model.ListUsersRequest;
import io.wickrcensus.api.model.ListedUser;
import io.wickrcensus.db.UserColumn;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import io.wickrcensus.support.Utf8;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What a staging step pages from the API and where it copies it: a listing staged into a slice of
 * a staging table. Each row is the slice's key values, a sequence number, then the item's columns.
 *
 * @param description  what is staged, for logs ("users of network N")
 * @param table        the staging table
 * @param sliceColumns the columns naming this step's slice of the table (the run, the billing period)
 * @param sliceValues  their values
 * @param columns      the item's columns, after {@code seq}
 * @param unameColumn  the column holding an item's uname (may be null), offered to the head start of lookups
 * @param unamesRecur  whether those unames can repeat across the run's slices (guests of several periods)
 * @param pages        opens the listing (called once, after {@code expected})
 * @param expected     how many items the listing should hold, or -1
 * @param crashPoint   where {@code CrashPoints} can stop the step after a batch is written, before it commits
 * @param changes      the run's list of rows that differ from the history, kept as each batch is written (users only; may be null)
 * @param key          what identifies an item in the listing (a user's id), to tell whether one was listed twice; may be null
 * @param <T>          the item type of the listing
 */
public record StagedSource<T>(String description, String table, List<String> sliceColumns, List<Object> sliceValues,
                              List<Column<T>> columns, String unameColumn, boolean unamesRecur,
                              Supplier<Iterable<T>> pages, LongSupplier expected, String crashPoint, StagedChanges changes,
                              Function<T, Utf8> key) {

    /** One column of an item: its name in the staging table and its value. */
    public record Column<T>(String name, Function<T, Object> value) {
    }

    /** Step 1: every user of the network, 100 per ListUsers page, into {@code census.stage_user}. */
    public static StagedSource<ListedUser> users(WickrAdminClient client, RunContext run, RunLedger ledger) {
        return new StagedSource<>("users of network " + run.networkId(), "census.stage_user", List.of("run_id"), List.of(run.runId()),
                UserColumn.ALL.stream().map(c -> new Column<ListedUser>(c.column(), c::valueOf)).toList(), UserColumn.UNAME.column(), false,
                // each page's strings go to COPY and to the users partition as the page's bytes
                () -> client.listAllUsersAsListed(ListUsersRequest.builder(run.networkId()).maxResults(WickrAdminClient.MAX_PAGE_SIZE).build()),
                () -> {
                    // the service's counts as paging begins: reconcile judges the roster between these and its own
                    io.wickrcensus.api.model.UsersCount users = client.getUsersCount(run.networkId());
                    ledger.countsBefore(run.runId(), users, client.getBotsCount(run.networkId()));
                    return users.total();
                }, "users.batch", new StagedChanges(run, ledger), ListedUser::userIdBytes);
    }

    /**
     * Step 2, one partition per billing period: that period's guest users into {@code census.stage_guest}.
     * The period staged is the one asked for: a guest answered under another would be a service bug.
     */
    public static StagedSource<GuestUser> guests(WickrAdminClient client, RunContext run, String billingPeriod) {
        return new StagedSource<>("guests of network " + run.networkId() + " in " + billingPeriod, "census.stage_guest",
                List.of("run_id", "billing_period"), List.of(run.runId(), billingPeriod),
                List.of(new Column<>("username", GuestUser::username), new Column<>("username_hash", GuestUser::usernameHash)),
                "username_hash", true,
                () -> client.listAllGuestUsers(ListGuestUsersRequest.builder(run.networkId())
                        .maxResults(WickrAdminClient.MAX_PAGE_SIZE).billingPeriod(billingPeriod).build()),
                () -> -1, "guests.batch", null, null);
    }

    /** The slice's committed rows {@code seq} in {@code [from, to)}, for the head start of lookups. */
    StagedRows rows(long from, long to) {
        Function<T, Object> uname = columns.stream().filter(c -> c.name().equals(unameColumn)).findFirst().map(Column::value).orElse(null);
        @SuppressWarnings("unchecked")
        Function<Object, String> unameOf = uname == null ? null : item -> Objects.toString(uname.apply((T) item), null);
        return new StagedRows(table, unameColumn, sliceColumns, sliceValues, from, to, unamesRecur, unameOf);
    }

    /** {@code DELETE} of this slice. */
    String deleteSql() {
        return "DELETE FROM " + table + " WHERE " + sliceColumns.stream().map(c -> c + " = ?").collect(Collectors.joining(" AND "));
    }

    /** {@code table (slice columns, seq, item columns)} for COPY. */
    String copyTarget() {
        return table + " (" + String.join(", ", sliceColumns) + ", seq, "
                + columns.stream().map(Column::name).collect(Collectors.joining(", ")) + ")";
    }

    /** The table's name without its schema, for metrics. */
    String tableName() {
        return table.substring(table.indexOf('.') + 1);
    }
}
