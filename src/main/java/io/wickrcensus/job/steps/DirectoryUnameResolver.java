package io.wickrcensus.job.steps;

import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.api.model.BatchLookupUserUnameResponse;
import io.wickrcensus.db.PgCopy;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunMetrics;
import io.wickrcensus.job.run.RunStatus;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.database.JdbcCursorItemReader;
import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;
import org.springframework.jdbc.core.namedparam.ParsedSql;

/**
 * The {@link UnameResolver} of the job: BatchLookupUserUname calls under the shared
 * {@link AdaptiveRateLimiter}, answers recorded in the uname directory ({@code census.uname_directory})
 * and failures with their field and reason ({@code census.uname_lookup_failure}). A uname counts as
 * known when the directory resolved it, or a lookup failed for it, within the freshness window (or
 * in this run): it is not paid for again.
 */
public final class DirectoryUnameResolver implements UnameResolver {

    /** Unames per BatchLookupUserUname call. */
    public static final int CHUNK = WickrAdminClient.MAX_BATCH_ITEMS;

    /**
     * "The uname {@code %1$s} is not known yet" (see the class comment), over named parameters;
     * {@code %2$s} is {@link #PROBE} (a batch of candidates) or empty: over a whole snapshot (the
     * uname step's one query) the planner's anti-joins are right, one pass over the directory.
     */
    static final String UNKNOWN = """
            NOT EXISTS (SELECT 1 FROM census.uname_directory d
                        WHERE d.network_id = :network AND d.uname = %1$s AND d.last_resolved_at > now() - make_interval(secs => :fresh)%2$s)
            AND NOT EXISTS (SELECT 1 FROM census.uname_lookup_failure f JOIN census.run r ON r.run_id = f.run_id
                            WHERE f.uname = %1$s AND r.network_id = :network
                              AND (f.run_id = :run OR f.failed_at > now() - make_interval(secs => :fresh))%2$s)""";

    /**
     * Keeps each NOT EXISTS a per-candidate probe of the primary key and the failure index: PostgreSQL
     * does not turn an EXISTS with an OFFSET into a join. Without it, a batch of candidates was
     * planned as a hash (or nested-loop) anti-join over the network's whole directory, from statistics
     * taken while the directory was still small, and its cost grew with the directory (#14 measured
     * 0.33 s to 5.0 s a batch over a 1M-user first night, until the head start fell behind paging).
     */
    static final String PROBE = " OFFSET 0";

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

    /** The filter of {@link #unknown}: which unames of staged rows are not known yet, one probe per row. */
    static String unknownAmong(StagedRows rows) {
        return rows.unamesWhere(u -> UNKNOWN.formatted(u, PROBE));
    }

    @Override
    public List<String> unknown(RunContext run, StagedRows rows) {
        return named.queryForList(unknownAmong(rows), rows.addParameters(unknownParameters(run)), String.class);
    }

    @Override
    public boolean listsChanges(RunContext run) {
        return !jdbc.queryForList("SELECT 1 FROM census.stage_user_baseline WHERE run_id = ?", Integer.class, run.runId()).isEmpty();
    }

    /**
     * The filter of {@link #unknownChanged}: driven by the run's list of changed rows in the range
     * (its (run, seq) index), each finding its staged row by one probe of (run, seq) and probed as
     * {@link #unknownAmong} does.
     */
    static String unknownAmongChanged(StagedRows rows) {
        if (!rows.table().equals("census.stage_user")) {
            throw new IllegalArgumentException("only staged users are listed as changed, not " + rows.table());
        }
        // LATERAL with LIMIT: a probe of the staged row whatever the statistics say; a plain join was once
        // planned as a hash join over the whole staged roster for each batch (a 1M-user night: 237 s)
        return "SELECT DISTINCT s.uname FROM census.stage_user_change c CROSS JOIN LATERAL (SELECT s.uname FROM census.stage_user s "
                + "WHERE s.run_id = c.run_id AND s.seq = c.seq LIMIT 1) s "
                + "WHERE c.run_id = :run AND c.seq >= :from AND c.seq < :to AND s.uname IS NOT NULL AND "
                + UNKNOWN.formatted("s.uname", PROBE);
    }

    @Override
    public List<String> unknownChanged(RunContext run, StagedRows rows) {
        return named.queryForList(unknownAmongChanged(rows), rows.addParameters(unknownParameters(run)), String.class);
    }

    @Override
    public Instant knowsNoneAt(RunContext run) {
        Timestamp at = jdbc.queryForObject("""
                SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM census.uname_directory WHERE network_id = ?)
                              AND NOT EXISTS (SELECT 1 FROM census.uname_lookup_failure f JOIN census.run r ON r.run_id = f.run_id
                                              WHERE r.network_id = ?)
                            THEN now() END""", Timestamp.class, run.networkId(), run.networkId());
        return at == null ? null : at.toInstant();
    }

    /**
     * Taken off every time recorded as {@code census.run.unames_known_since}: a recording transaction
     * that began before another one's (their {@code now()}) may commit after it, and a network found
     * to know no uname may still get answers from a transaction begun just before. Within this
     * margin a time can move back; the next run reads the whole snapshot a little early, never late.
     */
    static final Duration KNOWN_SINCE_MARGIN = Duration.ofHours(1);

    /**
     * When a uname became known last: resolved (the directory), or failed in any run of the network,
     * by {@code %s}; null if neither. The times {@link #UNKNOWN} compares with the freshness.
     */
    private static final String KNOWN_AT = """
            greatest((SELECT d.last_resolved_at FROM census.uname_directory d WHERE d.network_id = :network AND d.uname = %1$s),
                     (SELECT max(f.failed_at) FROM census.uname_lookup_failure f JOIN census.run r ON r.run_id = f.run_id
                      WHERE f.uname = %1$s AND r.network_id = :network))""";

    /**
     * The roster the run's list of changes was made against ({@code census.stage_user_baseline}):
     * the published run of that mark, as long as the network's mark has not moved since (the users
     * step compared every batch with that one roster) and its last event was a publish (after a
     * retraction, the roster restored is not a run's own).
     */
    private static final String LISTED_ROSTER_KNOWN_SINCE = """
            SELECT r.unames_known_since FROM census.stage_user_baseline b
            JOIN census.run r ON r.network_id = :network AND r.status = :published AND r.publish_seq = b.published_seq
            CROSS JOIN (SELECT max(publish_seq) FILTER (WHERE status = :published) p, max(publish_seq) FILTER (WHERE status = :retracted) x
                        FROM census.run WHERE network_id = :network) m
            WHERE b.run_id = :run AND m.p = b.published_seq AND m.x IS NOT DISTINCT FROM b.retracted_seq
              AND (b.retracted_seq IS NULL OR b.retracted_seq < b.published_seq)
              AND r.unames_known_since > now() - make_interval(secs => :fresh)""";

    @Override
    public Instant unchangedKnownSince(RunContext run) {
        List<Timestamp> since = named.queryForList(LISTED_ROSTER_KNOWN_SINCE, unknownParameters(run)
                .addValue("published", RunStatus.PUBLISHED.name()).addValue("retracted", RunStatus.RETRACTED.name()), Timestamp.class);
        return since.size() == 1 && since.get(0) != null ? since.get(0).toInstant() : null;
    }

    /**
     * The earliest {@link #KNOWN_AT} of the unames of the run's users listed as changed, less the
     * margin, and {@code :since}, whichever is earlier: null if one is not known at all. In
     * proportion to what changed.
     */
    private static final String CHANGED_KNOWN_SINCE = "SELECT CASE WHEN bool_or(k IS NULL) THEN NULL "
            + "ELSE least(min(k) - make_interval(secs => :margin), :since) END FROM ("
            + "SELECT " + KNOWN_AT.formatted("s.uname") + " k FROM census.stage_user_change c CROSS JOIN LATERAL "
            + "(SELECT s.uname FROM census.stage_user s WHERE s.run_id = c.run_id AND s.seq = c.seq LIMIT 1) s "
            + "WHERE c.run_id = :run AND s.uname IS NOT NULL) x";

    /** The earliest time any uname of the run's staged users became known, less the margin: null if one is not known at all. */
    private static final String STAGED_KNOWN_SINCE = """
            SELECT CASE WHEN bool_or(k IS NULL) THEN NULL ELSE min(k) - make_interval(secs => :margin) END FROM (
                SELECT greatest(d.last_resolved_at, f.failed_at) k
                FROM (SELECT DISTINCT uname FROM census.stage_user WHERE run_id = :run AND uname IS NOT NULL) s
                LEFT JOIN census.uname_directory d ON d.network_id = :network AND d.uname = s.uname
                LEFT JOIN (SELECT f.uname, max(f.failed_at) failed_at FROM census.uname_lookup_failure f
                           JOIN census.run r ON r.run_id = f.run_id WHERE r.network_id = :network GROUP BY f.uname) f
                       ON f.uname = s.uname) x""";

    @Override
    public void recordKnownSince(RunContext run, Instant knewNoneAt, Instant unchangedSince) {
        MapSqlParameterSource p = unknownParameters(run).addValue("margin", (double) KNOWN_SINCE_MARGIN.toSeconds());
        String since;
        if (knewNoneAt != null) {
            since = ":since";
            p.addValue("since", knewNoneAt.minus(KNOWN_SINCE_MARGIN).atOffset(ZoneOffset.UTC));
        } else if (unchangedSince != null) {
            since = "(" + CHANGED_KNOWN_SINCE + ")";
            p.addValue("since", unchangedSince.atOffset(ZoneOffset.UTC));
        } else {
            since = "(" + STAGED_KNOWN_SINCE + ")";
        }
        named.update("UPDATE census.run SET unames_known_since = CAST(" + since + " AS timestamptz) WHERE run_id = :run", p);
    }

    @Override
    public List<String> staged(RunContext run, StagedRows rows) {
        return named.queryForList(rows.unamesWhere(u -> "true"), rows.addParameters(new MapSqlParameterSource()), String.class);
    }

    @Override
    public List<String> unknownOf(RunContext run, List<String> unames) {
        return named.queryForList("SELECT a.u FROM unnest(CAST(:unames AS text[])) AS a(u) WHERE " + UNKNOWN.formatted("a.u", PROBE),
                unknownParameters(run).addValue("unames", PgCopy.arrayLiteral(unames)), String.class);
    }

    /** The calls of a list of unames, on the callers' threads. */
    private record Sent(List<Future<BatchLookupUserUnameResponse>> futures, int unames) implements Calls {
        @Override
        public void cancel() {
            futures.forEach(f -> f.cancel(true));
        }
    }

    @Override
    public Calls submit(RunContext run, List<String> unames) {
        List<Future<BatchLookupUserUnameResponse>> calls = new ArrayList<>();
        for (List<String> chunk : chunks(unames)) {
            calls.add(callers.submit(() -> call(run, chunk)));
        }
        return new Sent(calls, unames.size());
    }

    @Override
    public void record(RunContext run, Calls calls) throws Exception {
        write(run, answers(((Sent) calls).futures()));
    }

    /** The unknown unames of the whole staged snapshot of the run, as {@link #UNKNOWN} says (one pass over the directory). */
    private static final String CANDIDATES = """
            SELECT s.u FROM (
                SELECT uname AS u FROM census.stage_user WHERE run_id = :run AND uname IS NOT NULL
                UNION
                SELECT username_hash FROM census.stage_guest WHERE run_id = :run
            ) s
            WHERE""" + " " + UNKNOWN.formatted("s.u", "");

    /**
     * A server-side cursor (no autocommit, so PostgreSQL streams it) over the unames still unknown.
     * The staging steps and the head start have just filled the tables it reads: they are analysed
     * first, so that the one query over the whole snapshot is planned from what they hold now, not
     * from when they were small.
     */
    @Override
    public ItemStreamReader<String> unknownInSnapshot(RunContext run) {
        jdbc.execute("ANALYZE census.uname_directory, census.stage_user, census.stage_guest");
        MapSqlParameterSource params = unknownParameters(run);
        ParsedSql parsed = NamedParameterUtils.parseSqlStatement(CANDIDATES);
        JdbcCursorItemReader<String> reader = new JdbcCursorItemReader<>(jdbc.getDataSource(),
                NamedParameterUtils.substituteNamedParameters(parsed, params), (rs, i) -> rs.getString(1));
        reader.setPreparedStatementSetter(new ArgumentPreparedStatementSetter(NamedParameterUtils.buildValueArray(parsed, params, null)));
        reader.setName("unameCandidates");
        reader.setSaveState(false); // a relaunch lists what is still unknown then
        reader.setFetchSize(10_000);
        reader.setConnectionAutoCommit(false);
        reader.setVerifyCursorPosition(false);
        return reader;
    }

    /** The answers of the calls for some unames, in the order sent. */
    private record Answered(List<BatchLookupUserUnameResponse> responses, int unames) implements Answers {
    }

    @Override
    public Answers lookUpOnThisThread(RunContext run, List<String> unames) throws Exception {
        List<BatchLookupUserUnameResponse> responses = new ArrayList<>();
        for (List<String> chunk : chunks(unames)) {
            responses.add(call(run, chunk));
        }
        return new Answered(responses, unames.size());
    }

    @Override
    public void record(RunContext run, List<Answers> answers) {
        write(run, answers.stream().flatMap(a -> ((Answered) a).responses().stream()).toList());
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

    /** Waits for the calls' answers; a call that failed after its retries is rethrown, and the others are cancelled. */
    private static List<BatchLookupUserUnameResponse> answers(List<Future<BatchLookupUserUnameResponse>> calls) throws Exception {
        List<BatchLookupUserUnameResponse> out = new ArrayList<>(calls.size());
        try {
            for (Future<BatchLookupUserUnameResponse> f : calls) {
                out.add(f.get());
            }
        } catch (ExecutionException e) {
            calls.forEach(f -> f.cancel(true));
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
        return out;
    }

    /** Records answers (resolved in the directory, failures with field and reason) in the caller's transaction. */
    private void write(RunContext run, List<BatchLookupUserUnameResponse> answers) {
        List<String> unames = new ArrayList<>();
        List<String> usernames = new ArrayList<>();
        List<String> failedUnames = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (BatchLookupUserUnameResponse r : answers) {
            r.successful().forEach(s -> {
                unames.add(s.uname());
                usernames.add(s.username());
            });
            r.failed().forEach(x -> {
                failedUnames.add(x.uname());
                fields.add(x.field());
                reasons.add(x.reason());
            });
        }
        // one statement each for the whole round, the answers passed as arrays; DISTINCT ON, because
        // ON CONFLICT DO UPDATE refuses to touch one row twice in a statement
        MapSqlParameterSource p = new MapSqlParameterSource().addValue("network", run.networkId()).addValue("run", run.runId());
        if (!unames.isEmpty()) {
            named.update("""
                    INSERT INTO census.uname_directory (network_id, uname, username, first_resolved_at, last_resolved_at, last_run_id)
                    SELECT DISTINCT ON (a.uname) :network, a.uname, a.username, now(), now(), :run
                    FROM unnest(CAST(:unames AS text[]), CAST(:usernames AS text[])) WITH ORDINALITY AS a(uname, username, i)
                    ORDER BY a.uname, a.i DESC
                    ON CONFLICT (network_id, uname) DO UPDATE
                       SET username = EXCLUDED.username, last_resolved_at = EXCLUDED.last_resolved_at, last_run_id = EXCLUDED.last_run_id""",
                    p.addValue("unames", PgCopy.arrayLiteral(unames)).addValue("usernames", PgCopy.arrayLiteral(usernames)));
        }
        if (!failedUnames.isEmpty()) {
            named.update("""
                    INSERT INTO census.uname_lookup_failure (run_id, uname, field, reason)
                    SELECT DISTINCT ON (a.uname) :run, a.uname, a.field, a.reason
                    FROM unnest(CAST(:unames AS text[]), CAST(:fields AS text[]), CAST(:reasons AS text[])) WITH ORDINALITY
                         AS a(uname, field, reason, i)
                    ORDER BY a.uname, a.i DESC
                    ON CONFLICT (run_id, uname) DO UPDATE SET field = EXCLUDED.field, reason = EXCLUDED.reason, failed_at = now()""",
                    p.addValue("unames", PgCopy.arrayLiteral(failedUnames)).addValue("fields", PgCopy.arrayLiteral(fields))
                            .addValue("reasons", PgCopy.arrayLiteral(reasons)));
        }
        metrics.rows("uname_directory", unames.size());
        metrics.rows("uname_lookup_failure", failedUnames.size());
    }
}
