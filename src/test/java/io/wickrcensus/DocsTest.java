package io.wickrcensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README stays short and every guide under {@code docs/} is reachable from it; no link points
 * nowhere; the layout names classes that exist.
 */
class DocsTest {

    private static final Path README = Path.of("README.md");
    private static final Path DOCS = Path.of("docs");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(README));
        try (Stream<Path> docs = Files.list(DOCS)) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    /** GitHub's anchor of a heading: lower case, punctuation but '-' and '_' dropped, spaces to '-'. */
    static String anchor(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    private static Set<String> anchors(Path page) throws IOException {
        Set<String> out = new TreeSet<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(page)) {
            if (line.startsWith("```")) {
                fenced = !fenced;
            } else if (!fenced && line.startsWith("#")) {
                out.add(anchor(line.replaceFirst("^#+", "")));
            }
        }
        return out;
    }

    @Test
    void theReadmeIsShortAndLinksEveryGuide() throws IOException {
        assertThat(Files.readAllLines(README)).as("README lines").hasSizeLessThanOrEqualTo(300);
        String readme = Files.readString(README);
        List<Path> guides = pages().subList(1, pages().size());
        assertThat(guides).extracting(p -> p.getFileName().toString())
                .contains("operations.md", "datasets.md", "reports.md", "emulator.md", "benchmarks.md", "internals.md");
        for (Path g : guides) {
            assertThat(readme).as("README links " + g).contains("](docs/" + g.getFileName() + ")");
        }
    }

    @Test
    void everyRelativeLinkResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) {
            Matcher m = LINK.matcher(Files.readString(page));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("[a-z]+:.*")) {
                    continue; // https:, mailto:
                }
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved = file.isEmpty() ? page : page.toAbsolutePath().getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(page + ": " + target + " (no such file)");
                } else if (hash >= 0 && resolved.toString().endsWith(".md") && !anchors(resolved).contains(target.substring(hash + 1))) {
                    broken.add(page + ": " + target + " (no such heading)");
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    /** Every class the README's layout names (a CamelCase word) is a class of the sources (a test, where it names one). */
    @Test
    void theLayoutNamesClassesThatExist() throws IOException {
        String readme = Files.readString(README);
        String layout = readme.substring(readme.indexOf("## Layout"), readme.indexOf("\n## ", readme.indexOf("## Layout") + 1));
        Set<String> classes;
        try (Stream<Path> files = Stream.concat(Files.walk(Path.of("src", "main", "java")), Files.walk(Path.of("src", "test", "java")))) {
            classes = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".java")).map(n -> n.replace(".java", ""))
                    .collect(Collectors.toSet());
        }
        Matcher m = Pattern.compile("\\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+\\b").matcher(layout);
        Set<String> named = new TreeSet<>();
        while (m.find()) {
            named.add(m.group());
        }
        named.removeAll(Set.of("PostgreSQL", "DuckDB"));
        assertThat(named).as("classes the layout names").hasSizeGreaterThan(20);
        assertThat(classes).containsAll(named);
    }
}
