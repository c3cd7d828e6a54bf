package io.wickrcensus.job.steps;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What was looked up of the run's unames before the uname step starts, and what is left: the port
 * through which the uname step takes over from lookups made while staging paged (the head start
 * of {@code job.ahead}). {@link #NONE}, the step's own default, hands over nothing, and the step
 * then reads the whole staged snapshot for unknown unames.
 */
public interface UnameBacklog {

    /** Nothing was looked up ahead: the uname step reads the whole snapshot. */
    UnameBacklog NONE = () -> new Leftover(List.of(), Map.of(), false, null, false);

    /**
     * Stops the lookups ahead, waits for those under way (their answers are recorded), and says
     * what is left to look up.
     */
    Leftover drain();

    /** A staging slice: its table and the values of its slice columns (the run, the billing period). */
    record Slice(String table, List<Object> values) {
    }

    /**
     * What a drain leaves the uname step: the unknown unames read and not looked up yet, the slices
     * offered with the seq each one's offers reached, and whether that is all there is: no query
     * or call failed, every offered row was read, and every slice's offers ran from seq 0 without a
     * gap (a staging step of this job execution, which stages its slice afresh, offered each of its
     * commits). {@code knewNoneAt}: the network knew no uname at that time ({@link
     * UnameResolver#knowsNoneAt}), else null. {@code changedOnly}: of the staged users, only the rows
     * listed as changed were read ({@link UnameResolver#unknownChanged}).
     */
    record Leftover(List<String> unknown, Map<Slice, Long> offeredTo, boolean complete, Instant knewNoneAt, boolean changedOnly) {
        /**
         * Whether every row of the staged slices given (each one's last seq + 1) was read and
         * filtered ahead (of the staged users only those listed as changed, if {@link #changedOnly}),
         * so that {@link #unknown} is all the snapshot still has to look up, but for the unchanged
         * users' unames when {@link #changedOnly}.
         */
        public boolean covers(Map<Slice, Long> staged) {
            return complete && offeredTo.equals(staged);
        }
    }
}
