package io.wickrcensus.job.steps;

import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.api.model.BatchLookupUserUnameResponse;
import io.wickrcensus.db.PgCopy;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * The {@link UnameResolver} of the job: BatchLookupUserUname calls under the shared
 * {@link AdaptiveRateLimiter}, answers recorded in the uname directory ({@code census.uname_directory})
 * and failures with their field and reason ({@code census.uname_lookup_failure}). A uname counts as
 * known when the directory resolved it, or a lookup failed for it, within the freshness window (or
 * in this run): it is not paid for again.
 */
public final class DirectoryUnameResolver implements UnameResolver {

    static final int CHUNK = WickrAdminClient.MAX_BATCH_ITEMS;

    /** "The uname {@code :u} is not known yet" (see the class comment), over named parameters. */
    static final String UNKNOWN = """
            NOT EXISTS (SELECT 1 FROM census.uname_directory d
                        WHERE d.network_id = :network AND d.uname = %1$s AND d.last_resolved_at > now() - make_interval(secs => :fresh))
            AND NOT EXISTS (SELECT 1 FROM census.uname_lookup_failure f JOIN census.run r ON r.run_id = f.run_id
                            WHERE f.uname = %1$s AND r.network_id = :network
                              AND (f.run_id = :run OR f.failed_at > now() - make_interval(secs => :fresh)))""";

    private final JdbcTemplate jdbc;
    private final NamedParameterJdbcTemplate named;
    private final WickrAdminClient client;
    private final ExecutorService callers;
    private final AdaptiveRateLimiter limiter;
    private final Duration freshness;
    private final RunMetrics metrics;

    public DirectoryUnameResolver(DataSource dataSource, WickrAdminClient client, ExecutorService callers, AdaptiveRateLimiter limiter,
                                  Duration freshness, RunMetrics metrics) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.named = new NamedParameterJdbcTemplate(jdbc);
        this.client = client;
        this.callers = callers;
        this.limiter = limiter;
        this.freshness = freshness;
        this.metrics = metrics;
    }

    /** The parameters of {@link #UNKNOWN} for this run. */
    MapSqlParameterSource unknownParameters(RunContext run) {
        return new MapSqlParameterSource().addValue("network", run.networkId()).addValue("run", run.runId())
                .addValue("fresh", (double) freshness.toSeconds());
    }

    @Override
    public List<String> unknown(RunContext run, List<String> candidates) {
        return named.queryForList("SELECT DISTINCT u FROM unnest(CAST(:candidates AS text[])) AS u WHERE " + UNKNOWN.formatted("u"),
                unknownParameters(run).addValue("candidates", PgCopy.arrayLiteral(candidates)), String.class);
    }

    @Override
    public void resolve(RunContext run, List<String> unames) throws Exception {
        List<Future<BatchLookupUserUnameResponse>> calls = new ArrayList<>();
        for (List<String> chunk : chunks(unames)) {
            calls.add(callers.submit(() -> call(run, chunk)));
        }
        record(run, calls);
    }

    @Override
    public void resolveOnThisThread(RunContext run, List<String> unames) throws Exception {
        List<Future<BatchLookupUserUnameResponse>> calls = new ArrayList<>();
        for (List<String> chunk : chunks(unames)) {
            calls.add(CompletableFuture.completedFuture(call(run, chunk)));
        }
        record(run, calls);
    }

    private static List<List<String>> chunks(List<String> unames) {
        List<List<String>> out = new ArrayList<>();
        for (int from = 0; from < unames.size(); from += CHUNK) {
            out.add(List.copyOf(unames.subList(from, Math.min(unames.size(), from + CHUNK))));
        }
        return out;
    }

    private BatchLookupUserUnameResponse call(RunContext run, List<String> chunk) throws InterruptedException {
        limiter.acquire();
        BatchLookupUserUnameResponse r = client.batchLookupUserUname(run.networkId(), chunk, null);
        limiter.succeeded();
        return r;
    }

    /**
     * Waits for the calls and records their answers (resolved in the directory, failures with field
     * and reason) in the caller's transaction; a call that failed after its retries is rethrown.
     */
    private void record(RunContext run, List<Future<BatchLookupUserUnameResponse>> calls) throws Exception {
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
