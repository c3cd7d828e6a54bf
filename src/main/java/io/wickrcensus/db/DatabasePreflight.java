package io.wickrcensus.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before the migrations run, that the database user can set up what they create: a
 * least-privilege user (no CREATEROLE) needs a DBA to have run {@code db/setup/dba-setup.sql}
 * once. Without this check such a user met a migration's "permission denied" in a stack trace.
 */
public final class DatabasePreflight {

    /** Where the DBA's one-time setup is, for the operator's line. */
    public static final String SETUP_SCRIPT = "db/setup/dba-setup.sql";

    private DatabasePreflight() {
    }

    /** Null when the migrations can run; else one line saying what is missing and what to run. */
    public static String problem(DatabaseLocation db, String auditorRole, String financeRole) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("""
                SELECT current_user,
                       (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user),
                       ARRAY(SELECT r FROM unnest(ARRAY[?, ?]) AS r WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)),
                       EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'census'),
                       has_database_privilege(current_database(), 'CREATE'),
                       to_regclass('public.flyway_schema_history') IS NOT NULL,
                       has_schema_privilege('public', 'CREATE'),
                       current_database()""")) {
            ps.setString(1, auditorRole);
            ps.setString(2, financeRole);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                String user = rs.getString(1);
                List<String> missing = new ArrayList<>();
                String[] absentRoles = (String[]) rs.getArray(3).getArray();
                if (absentRoles.length > 0 && !rs.getBoolean(2)) {
                    missing.add("the role" + (absentRoles.length > 1 ? "s " : " ") + String.join(" and ", absentRoles)
                            + (absentRoles.length > 1 ? " do" : " does") + " not exist and it may not create roles");
                }
                if (!rs.getBoolean(4) && !rs.getBoolean(5)) {
                    missing.add("it may not create the census schema (CREATE on database " + rs.getString(8) + ")");
                }
                if (!rs.getBoolean(6) && !rs.getBoolean(7)) {
                    missing.add("it may not create the job repository's tables (CREATE on schema public)");
                }
                return missing.isEmpty() ? null : "the database user " + user + " cannot set up the census schema: "
                        + String.join("; ", missing) + ". Run " + SETUP_SCRIPT + " once as a DBA (see the README, "
                        + "\"Least-privilege database user\")";
            }
        }
    }
}
