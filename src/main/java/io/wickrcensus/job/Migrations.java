package io.wickrcensus.job;

import io.wickrcensus.job.run.RunSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The job's database migrations ({@code db/migration}), configured in one place for every command
 * that migrates (run, retract): the roles they grant, and one connection for a script and its
 * history row. Flyway's default for PostgreSQL (a transactional lock) uses two connections, and a
 * kill between their commits left a script applied but unrecorded, which every relaunch then
 * failed to apply again (found by the torture suite's SIGKILL).
 */
public final class Migrations {

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    /** Where the migrations are, for Flyway and for {@link #applied}. */
    static final String LOCATION = "db/migration";

    /** A versioned SQL migration's file name, the only kind this job ships. */
    private static final Pattern VERSIONED = Pattern.compile("V[0-9][0-9._]*__[^/]*\\.sql");

    private Migrations() {
    }

    /** The migrations of {@code dataSource}, granting to {@code roles}; {@code migrate()} applies what is missing. */
    public static Flyway flyway(DataSource dataSource, RunSettings.Roles roles) {
        return Flyway.configure().configuration(Map.of("flyway.postgresql.transactional.lock", "false"))
                .dataSource(dataSource).locations("classpath:" + LOCATION)
                .placeholders(Map.of("auditor_role", roles.auditor(), "finance_role", roles.finance()))
                .load();
    }

    /**
     * Applies what is missing. A database that already holds exactly the migrations this build
     * ships (see {@link #applied}) has nothing to apply and nothing Flyway's validation would
     * refuse, so Flyway is not started: its start, its scan and its validation were about 0.3 s of
     * every launch, a tenth of a small network's night. Anything else (a pending migration, a
     * changed or failed script, a history Flyway must read itself, an error) goes to Flyway as
     * before, with its own errors.
     */
    public static void migrate(DataSource dataSource, RunSettings.Roles roles) {
        if (applied(dataSource)) {
            log.debug("the database holds every migration of this build; Flyway has nothing to do");
            return;
        }
        flyway(dataSource, roles).migrate();
    }

    /**
     * Whether Flyway's history in the connection's current schema records exactly the versioned
     * migrations this build ships, each applied successfully from a script of the same name and
     * with the same checksum (Flyway's: a CRC32 of the script's lines), and nothing else with a
     * version. False whenever anything is otherwise or cannot be read.
     */
    static boolean applied(DataSource dataSource) {
        Map<String, Integer> shipped = shipped();
        if (shipped == null || shipped.isEmpty()) {
            return false;
        }
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            String table;
            try (ResultSet rs = st.executeQuery("SELECT quote_ident(current_schema()) || '.flyway_schema_history', "
                    + "to_regclass(quote_ident(current_schema()) || '.flyway_schema_history') IS NOT NULL")) {
                if (!rs.next() || rs.getString(1) == null || !rs.getBoolean(2)) {
                    return false;
                }
                table = rs.getString(1);
            }
            Map<String, Integer> history = new HashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT script, checksum, success FROM " + table + " WHERE version IS NOT NULL")) {
                while (rs.next()) {
                    int checksum = rs.getInt(2);
                    boolean noChecksum = rs.wasNull();
                    if (noChecksum || !rs.getBoolean(3) || history.put(rs.getString(1), checksum) != null) {
                        return false;
                    }
                }
            }
            return history.equals(shipped);
        } catch (SQLException e) {
            return false;
        }
    }

    /** The shipped migrations' file names and checksums; null if there is anything but versioned SQL migrations, or a name twice. */
    static Map<String, Integer> shipped() {
        try {
            Resource[] found = new PathMatchingResourcePatternResolver(Migrations.class.getClassLoader())
                    .getResources("classpath*:" + LOCATION + "/**/*");
            Map<String, Integer> shipped = new HashMap<>();
            for (Resource r : found) {
                if (!r.isReadable()) {
                    continue; // a directory
                }
                String name = r.getFilename();
                if (name == null || !VERSIONED.matcher(name).matches() || shipped.put(name, checksum(r)) != null) {
                    return null;
                }
            }
            return shipped;
        } catch (IOException e) {
            return null;
        }
    }

    /** Flyway's checksum of a script: a CRC32 of its lines' UTF-8 bytes, without line breaks or a byte order mark. */
    static int checksum(Resource script) throws IOException {
        CRC32 crc = new CRC32();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(script.getInputStream(), StandardCharsets.UTF_8))) {
            String line = in.readLine();
            if (line != null && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            for (; line != null; line = in.readLine()) {
                crc.update(line.getBytes(StandardCharsets.UTF_8));
            }
        }
        return (int) crc.getValue();
    }
}
