package io.wickrcensus.job.steps;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunMetrics;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.testing.TestDatabases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The head start's filter ("which unames of these 1,000 staged rows are not known yet") costs what
 * the rows cost, not what the directory or the staged snapshot holds: it reads the rows by their
 * sequence number and probes the directory's key once per uname, even when the planner's statistics
 * were taken while both tables were empty, as they are during a first night that fills them.
 * Planned as a join, it read the whole directory per batch.
 */
class UnameFilterPlanTest {

    private static final String NET = "net00001";
    private static final int DIRECTORY = 100_000;
    /** Rows staged for the run: the 1,000 candidates first, then the rest of a large snapshot. */
    private static final int STAGED = 100_000;

    private static SingleConnectionDataSource ds;
    private static JdbcTemplate jdbc;

    @BeforeAll
    static void directoryFilledAfterItsStatistics() {
        String url = TestDatabases.newDatabase("unamefilter");
        ds = new SingleConnectionDataSource(url, "postgres", "", true);
        io.wickrcensus.job.Migrations.flyway(ds, new RunSettings.Roles(null, null)).migrate();
        jdbc = new JdbcTemplate(ds);
        // statistics of an empty directory and an empty staging table
        jdbc.execute("ANALYZE census.uname_directory, census.uname_lookup_failure, census.stage_user");
        jdbc.update("INSERT INTO census.uname_directory (network_id, uname, username, first_resolved_at, last_resolved_at, last_run_id) "
                + "SELECT ?, 'u' || i, 'user' || i, now(), now(), 1 FROM generate_series(1, ?) i", NET, DIRECTORY);
        List<String> candidates = candidates();
        jdbc.batchUpdate("INSERT INTO census.stage_user (run_id, seq, user_id, uname) VALUES (1, ?, ?, ?)", candidates, 1000,
                (ps, u) -> {
                    int seq = candidates.indexOf(u);
                    ps.setLong(1, seq);
                    ps.setString(2, "id" + seq);
                    ps.setString(3, u);
                });
        jdbc.update("INSERT INTO census.stage_user (run_id, seq, user_id, uname) SELECT 1, i, 'id' || i, 'later' || i "
                + "FROM generate_series(1000, ?) i", STAGED - 1);
        // a later snapshot's list of changed users: every tenth row, of the candidates and of the rest
        jdbc.update("INSERT INTO census.stage_user_change (run_id, seq, user_id) SELECT 1, i, 'id' || i FROM generate_series(0, ?, 10) i",
                STAGED - 1);
    }

    private static final StagedRows CANDIDATES = new StagedRows("census.stage_user", "uname", List.of("run_id"), List.of(1L), 0, 1000, false);

    @AfterAll
    static void close() {
        ds.destroy();
    }

    /** 1,000 candidates: the odd ones are in the directory, the even ones (beyond it) are not. */
    private static List<String> candidates() {
        List<String> c = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            c.add(i % 2 == 1 ? "u" + (50_000 + i) : "new" + i);
        }
        return c;
    }

    @Test
    void theFilterReturnsExactlyTheUnknownCandidates() {
        DirectoryUnameResolver resolver = new DirectoryUnameResolver(ds, null, null, null, Duration.ofDays(7), new RunMetrics());
        List<String> unknown = resolver.unknown(new RunContext(1, NET), CANDIDATES);
        assertThat(unknown).hasSize(500).allMatch(u -> u.startsWith("new"));
    }

    @Test
    void theFilterReadsOneDirectoryRowPerCandidateAndOnlyTheStagedRowsItNames() throws Exception {
        DirectoryUnameResolver resolver = new DirectoryUnameResolver(ds, null, null, null, Duration.ofDays(7), new RunMetrics());
        String plan = new NamedParameterJdbcTemplate(jdbc).queryForObject("EXPLAIN (ANALYZE, FORMAT JSON) "
                + DirectoryUnameResolver.unknownAmong(CANDIDATES), CANDIDATES.addParameters(resolver.unknownParameters(new RunContext(1, NET))),
                String.class);
        JsonNode root = new ObjectMapper().readTree(plan).get(0).get("Plan");
        long[] directory = new long[1];
        walk(root, "uname_directory", directory);
        assertThat(directory[0]).as("directory rows read for 1,000 candidates, of %,d (plan: %s)", DIRECTORY, plan).isLessThanOrEqualTo(1000);
        long[] staged = new long[1];
        walk(root, "stage_user", staged);
        assertThat(staged[0]).as("staged rows read for 1,000 candidates, of %,d (plan: %s)", STAGED, plan).isLessThanOrEqualTo(1000);
    }

    /**
     * On a later snapshot the head start reads only the users listed as changed: their unknown
     * unames, found through the list's (run, seq) index, one staged row and one directory probe each.
     */
    @Test
    void theChangedUsersFilterReadsOnlyTheListedRows() throws Exception {
        DirectoryUnameResolver resolver = new DirectoryUnameResolver(ds, null, null, null, Duration.ofDays(7), new RunMetrics());
        RunContext run = new RunContext(1, NET);
        // listed: seq 0, 10, ..., 990 of the candidates, all even: all "new"
        assertThat(resolver.unknownChanged(run, CANDIDATES)).hasSize(100).allMatch(u -> u.startsWith("new"));
        // also where the planner would rather join than probe (statistics that make the list look large
        // once made a 1M-user night's head start read the whole staged roster for each batch: 237 s)
        for (String setting : List.of("RESET enable_nestloop", "SET enable_nestloop = off")) {
            jdbc.execute(setting);
            try {
                String plan = new NamedParameterJdbcTemplate(jdbc).queryForObject("EXPLAIN (ANALYZE, FORMAT JSON) "
                        + DirectoryUnameResolver.unknownAmongChanged(CANDIDATES), CANDIDATES.addParameters(resolver.unknownParameters(run)),
                        String.class);
                JsonNode root = new ObjectMapper().readTree(plan).get(0).get("Plan");
                for (String table : List.of("stage_user_change", "stage_user", "uname_directory")) {
                    long[] read = new long[1];
                    walk(root, table, read);
                    assertThat(read[0]).as("%s: %s rows read for 100 listed of 1,000 candidates (plan: %s)", setting, table, plan)
                            .isLessThanOrEqualTo(100);
                }
            } finally {
                jdbc.execute("RESET enable_nestloop");
            }
        }
    }

    /** Adds up the rows that the plan's scans of a table read: returned plus filtered out, over all loops. */
    private static void walk(JsonNode node, String table, long[] read) {
        if (table.equals(node.path("Relation Name").asText())) {
            long loops = node.path("Actual Loops").asLong(1);
            read[0] += (node.path("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong()
                    + node.path("Rows Removed by Index Recheck").asLong()) * loops;
        }
        for (JsonNode child : node.path("Plans")) {
            walk(child, table, read);
        }
    }
}
