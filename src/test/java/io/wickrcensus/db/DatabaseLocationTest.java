package io.wickrcensus.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wickrcensus.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The embedded PostgreSQL is stopped, and its lock let go, on every way out of a start. */
class DatabaseLocationTest {

    @Test
    void anEmbeddedServerThatDoesNotAnswerIsStoppedAndItsLockLetGo() throws Exception {
        Path dataDir = TestFiles.dir("embedded-ping").resolve("postgres");
        assertThatThrownBy(() -> DatabaseLocation.startEmbedded(dataDir, true, db -> {
            throw new DatabaseLocation.DatabaseUnavailableException("cannot reach the database: the ping failed");
        })).isInstanceOf(DatabaseLocation.DatabaseUnavailableException.class).hasMessageContaining("the ping failed");

        assertThat(dataDir.resolve("postmaster.pid")).as("the server that was started is stopped").doesNotExist();
        // the lock file is free: a launch in the same directory starts at once, not "in use by this process already"
        try (DatabaseLocation db = DatabaseLocation.startEmbedded(dataDir)) {
            try (var c = db.connect(); var st = c.createStatement(); var rs = st.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
        assertThat(Files.exists(dataDir.resolve("PG_VERSION"))).isTrue();
    }
}
