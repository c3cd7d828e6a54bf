package io.wickrcensus.cli;

import io.wickrcensus.db.DatabaseLocation;
import io.wickrcensus.db.DatabaseSettings;
import io.wickrcensus.job.run.ExitCodes;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wickr-census db}: starts the job's embedded PostgreSQL on its data directory and keeps it
 * up for psql until Enter (or end of input, or SIGTERM): the database the demo and the job leave
 * behind, explorable after they have stopped it.
 */
@Command(name = "db", mixinStandardHelpOptions = true,
        description = "Start the embedded PostgreSQL of a data directory (the job's or the demo's) for psql, until Enter.")
public final class DbCommand implements Callable<Integer> {

    @Option(names = "--data-dir", description = "The embedded PostgreSQL's data directory (default: CENSUS_DATA_DIR, else "
            + DatabaseSettings.DEFAULT_DATA_DIR + "; the demo's is census-demo/postgres).")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        Path dir = Environment.current().dataDir(dataDir).toAbsolutePath();
        if (!Files.exists(dir.resolve("PG_VERSION"))) {
            throw new IllegalArgumentException("--data-dir " + dir + " holds no embedded PostgreSQL (run the job or the demo first)");
        }
        try (DatabaseLocation db = DatabaseLocation.startEmbedded(dir)) {
            String port = db.url().replaceAll(".*:(\\d+)/.*", "$1");
            PrintStream out = System.out;
            out.println("PostgreSQL of " + dir + " is up: postgresql://postgres@localhost:" + port + "/postgres");
            out.println("  psql -h localhost -p " + port + " -U postgres -d postgres -c \"SELECT * FROM census.runs\"");
            out.println("Press Enter to stop it.");
            out.flush();
            System.in.read(); // Enter, end of input, or SIGTERM (the database's own hook stops it)
            return ExitCodes.OK;
        } catch (DatabaseLocation.DatabaseInUseException e) {
            System.err.println("wickr-census: " + e.getMessage() + ": it is up already, or a job is running on it");
            return ExitCodes.CONCURRENT_LAUNCH;
        }
    }
}
