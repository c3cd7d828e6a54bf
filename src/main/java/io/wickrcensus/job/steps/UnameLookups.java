package io.wickrcensus.job.steps;

import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.api.model.BatchLookupUserUnameResponse;
import io.wickrcensus.job.AdaptiveRateLimiter;
import io.wickrcensus.job.RunMetrics;
import java.sql.Array;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Looking unames up and recording the answers: the uname step and the early lookups during
 * staging share it. A uname counts as known when the directory resolved it, or a lookup failed
 * for it, within the freshness window (or in this run): it is not paid for again.
 */
public final class UnameLookups {

    static final int CHUNK = WickrAdminClient.MAX_BATCH_ITEMS;

    private final JdbcTemplate jdbc;
    private final WickrAdminClient client;
    private final ExecutorService callers;
    private final AdaptiveRateLimiter limiter;
    private final Duration freshness;
    private final RunMetrics metrics;

    public UnameLookups(DataSource dataSource, WickrAdminClient client, ExecutorService callers, AdaptiveRateLimiter limiter,
                        Duration freshness, RunMetrics metrics) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.client = client;
        this.callers = callers;
        this.limiter = limiter;
        this.freshness = freshness;
        this.metrics = metrics;
    }

    /**
     * The condition "uname {@code col} is not known yet" (see the class comment); bind its
     * parameters with {@link #bindUnknown}.
     */
    static String unknownCondition(String col) {
        return " " + """
                NOT EXISTS (SELECT 1 FROM census.uname_directory d
                            WHERE d.network_id = ? AND d.uname = %1$s AND d.last_resolved_at > now() - make_interval(secs => ?))
                AND NOT EXISTS (SELECT 1 FROM census.uname_lookup_failure f JOIN census.run r ON r.run_id = f.run_id
                                WHERE f.uname = %1$s AND r.network_id = ?
                                  AND (f.run_id = ? OR f.failed_at > now() - make_interval(secs => ?)))""".formatted(col);
    }

    /** Binds the parameters of {@link #unknownCondition} from index {@code from}; returns the next index. */
    int bindUnknown(java.sql.PreparedStatement ps, int from, RunContext run) throws java.sql.SQLException {
        ps.setString(from, run.networkId());
        ps.setDouble(from + 1, freshness.toSeconds());
        ps.setString(from + 2, run.networkId());
        ps.setLong(from + 3, run.runId());
        ps.setDouble(from + 4, freshness.toSeconds());
        return from + 5;
    }

    /** The unames of {@code candidates} that are not known yet, without duplicates. */
    List<String> unknown(RunContext run, List<String> candidates) {
        return jdbc.execute((java.sql.Connection c) -> {
            Array arr = c.createArrayOf("text", candidates.toArray());
            try (var ps = c.prepareStatement("SELECT DISTINCT u FROM unnest(?::text[]) AS u WHERE " + unknownCondition("u"))) {
                ps.setArray(1, arr);
                bindUnknown(ps, 2, run);
                List<String> out = new ArrayList<>();
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }

    /** Sends the unames, 50 per call, on the caller pool under the shared budget. */
    List<Future<BatchLookupUserUnameResponse>> submit(RunContext run, List<String> unames) {
        List<Future<BatchLookupUserUnameResponse>> calls = new ArrayList<>();
        for (int from = 0; from < unames.size(); from += CHUNK) {
            List<String> chunk = List.copyOf(unames.subList(from, Math.min(unames.size(), from + CHUNK)));
            calls.add(callers.submit(() -> {
                limiter.acquire();
                BatchLookupUserUnameResponse r = client.batchLookupUserUname(run.networkId(), chunk, null);
                limiter.succeeded();
                return r;
            }));
        }
        return calls;
    }

    /** Sends the unames, 50 per call, from this thread, one call after the other. */
    List<Future<BatchLookupUserUnameResponse>> callHere(RunContext run, List<String> unames) throws InterruptedException {
        List<Future<BatchLookupUserUnameResponse>> calls = new ArrayList<>();
        for (int from = 0; from < unames.size(); from += CHUNK) {
            limiter.acquire();
            calls.add(java.util.concurrent.CompletableFuture.completedFuture(
                    client.batchLookupUserUname(run.networkId(), List.copyOf(unames.subList(from, Math.min(unames.size(), from + CHUNK))), null)));
            limiter.succeeded();
        }
        return calls;
    }

    /**
     * Waits for the calls and records their answers (resolved in the directory, failures with field
     * and reason) in the caller's transaction; a call that failed after its retries is rethrown.
     */
    void record(RunContext run, List<Future<BatchLookupUserUnameResponse>> calls) throws Exception {
        List<Object[]> resolved = new ArrayList<>();
        List<Object[]> failed = new ArrayList<>();
        try {
            for (Future<BatchLookupUserUnameResponse> f : calls) {
                BatchLookupUserUnameResponse r = f.get();
                r.successful().forEach(s -> resolved.add(new Object[] {run.networkId(), s.uname(), s.username(), run.runId()}));
                r.failed().forEach(x -> failed.add(new Object[] {run.runId(), x.uname(), x.field(), x.reason()}));
            }
        } catch (ExecutionException e) {
            calls.forEach(f -> f.cancel(true));
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
        jdbc.batchUpdate("""
                INSERT INTO census.uname_directory (network_id, uname, username, first_resolved_at, last_resolved_at, last_run_id)
                VALUES (?, ?, ?, now(), now(), ?)
                ON CONFLICT (network_id, uname) DO UPDATE
                   SET username = EXCLUDED.username, last_resolved_at = EXCLUDED.last_resolved_at, last_run_id = EXCLUDED.last_run_id""",
                resolved);
        jdbc.batchUpdate("""
                INSERT INTO census.uname_lookup_failure (run_id, uname, field, reason) VALUES (?, ?, ?, ?)
                ON CONFLICT (run_id, uname) DO UPDATE SET field = EXCLUDED.field, reason = EXCLUDED.reason, failed_at = now()""",
                failed);
        metrics.rows("uname_directory", resolved.size());
        metrics.rows("uname_lookup_failure", failed.size());
    }
}
