package io.wickrcensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Rules of the main sources that a reviewer would otherwise have to remember. */
class SourceRulesTest {

    private static final Path SOURCES = Path.of("src", "main", "java", "io", "wickrcensus");

    /**
     * A JDBC statement used straight off its connection ({@code c.createStatement().execute(..)})
     * is never closed: it lives until the connection does, which for a pooled connection is the
     * process. Every statement is opened in a try-with-resources instead.
     */
    @Test
    void noStatementIsUsedWithoutBeingKept() throws IOException {
        Pattern chained = Pattern.compile("\\.(createStatement|prepareStatement|prepareCall)\\((?:[^()]|\\([^()]*\\))*\\)\\s*\\.");
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = chained.matcher(Files.readString(f));
                while (m.find()) {
                    found.add(SOURCES.relativize(f) + ": " + m.group());
                }
            }
        }
        assertThat(found).as("statements never closed").isEmpty();
    }
}
