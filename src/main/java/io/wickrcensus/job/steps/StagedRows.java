package io.wickrcensus.job.steps;

import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Committed rows of a staging slice, {@code seq} in {@code [from, to)}: what a staging step offers
 * the head start of lookups after each commit. The head start reads the rows' unames back from
 * PostgreSQL when it gets to them, so however far paging runs ahead, what waits is two numbers per
 * slice, never the unames themselves.
 *
 * @param table        the staging table
 * @param unameColumn  the column holding the uname to look up
 * @param sliceColumns the columns naming the slice (the run, the billing period)
 * @param sliceValues  their values
 * @param recurring    whether the unames can repeat across the run's slices (guests of several periods)
 * @param unameOf      the uname of one of the items the rows were staged from (null if unknown), for a reader that
 *                     takes them from the items instead of reading them back
 */
public record StagedRows(String table, String unameColumn, List<String> sliceColumns, List<Object> sliceValues,
                         long from, long to, boolean recurring, Function<Object, String> unameOf) {

    public StagedRows(String table, String unameColumn, List<String> sliceColumns, List<Object> sliceValues, long from, long to,
                      boolean recurring) {
        this(table, unameColumn, sliceColumns, sliceValues, from, to, recurring, null);
    }

    public long count() {
        return to - from;
    }

    /** {@code next} continues these rows in the same slice: the two can be queued as one. */
    public boolean continuedBy(StagedRows next) {
        return next.from == to && next.table.equals(table) && next.sliceValues.equals(sliceValues);
    }

    public StagedRows withTo(long newTo) {
        return new StagedRows(table, unameColumn, sliceColumns, sliceValues, from, newTo, recurring, unameOf);
    }

    public StagedRows withFrom(long newFrom) {
        return new StagedRows(table, unameColumn, sliceColumns, sliceValues, newFrom, to, recurring, unameOf);
    }

    /**
     * {@code SELECT DISTINCT uname FROM table WHERE <slice> AND seq in range AND uname IS NOT NULL AND <condition>},
     * {@code condition} given the uname's column; over the named parameters of {@link #addParameters}.
     */
    String unamesWhere(UnaryOperator<String> condition) {
        String u = "s." + unameColumn;
        return "SELECT DISTINCT " + u + " FROM " + table + " s WHERE "
                + sliceColumns.stream().map(c -> "s." + c + " = :slice_" + c).collect(Collectors.joining(" AND "))
                + " AND s.seq >= :from AND s.seq < :to AND " + u + " IS NOT NULL AND " + condition.apply(u);
    }

    MapSqlParameterSource addParameters(MapSqlParameterSource p) {
        for (int i = 0; i < sliceColumns.size(); i++) {
            p.addValue("slice_" + sliceColumns.get(i), sliceValues.get(i));
        }
        return p.addValue("from", from).addValue("to", to);
    }
}
