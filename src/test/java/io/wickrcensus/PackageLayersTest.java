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

/**
 * The arrows run down: each package of {@code src/main/java} imports only packages below it in
 * {@link #LAYERS} (or itself). The README's layout section shows the same order.
 */
class PackageLayersTest {

    /** Top to bottom. A layer lists the packages that form it; the client and its internals are one. */
    static final List<List<String>> LAYERS = List.of(
            List.of("cli"),
            List.of("bench"),
            List.of("report"),
            List.of("job"),
            List.of("job.launch"),
            List.of("job.ahead"),
            List.of("job.steps"),
            List.of("job.run"),
            List.of("iceberg"),
            List.of("parquet"),
            List.of("db"),
            List.of("emulator"),
            List.of("api", "api.internal"),
            List.of("api.errors"),
            List.of("api.model"),
            List.of("faults"),
            List.of("support"));

    private static final Path SOURCES = Path.of("src", "main", "java", "io", "wickrcensus");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.wickrcensus\\.([a-z.]+?)\\.[A-Z]", Pattern.MULTILINE);
    private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.])io\\.wickrcensus\\.([a-z.]+?)\\.[A-Z]");

    static int layer(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(pkg)) {
                return i;
            }
        }
        throw new AssertionError("package io.wickrcensus." + pkg + " is in no layer of PackageLayersTest");
    }

    @Test
    void noPackageImportsAPackageAboveIt() throws IOException {
        List<String> upward = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(f.getParent()).toString().replace('/', '.');
                String src = Files.readString(f);
                for (Pattern p : List.of(IMPORT, QUALIFIED)) {
                    Matcher m = p.matcher(src);
                    while (m.find()) {
                        String target = m.group(1);
                        if (layer(target) < layer(pkg)) {
                            upward.add(SOURCES.relativize(f) + " -> " + target);
                        }
                    }
                }
            }
        }
        assertThat(upward).as("imports of a package above").isEmpty();
    }

    /**
     * The steps own the ports the head starts implement ({@code StagingListener}, {@code UnameBacklog},
     * {@code PartitionsWrittenAhead}) and know no head start: each step reads on its own. Only the
     * job's configuration wires the two together.
     */
    @Test
    void noStepKnowsAHeadStart() throws IOException {
        List<String> knowing = new ArrayList<>();
        Path ahead = SOURCES.resolve("job/ahead");
        List<String> headStarts;
        try (Stream<Path> files = Files.list(ahead)) {
            headStarts = files.map(f -> f.getFileName().toString().replace(".java", "")).toList();
        }
        assertThat(headStarts).contains("UnameHeadStart", "ParquetHeadStart", "UsersPartitionAsStaged");
        try (Stream<Path> files = Files.list(SOURCES.resolve("job/steps"))) {
            for (Path f : files.toList()) {
                String src = Files.readString(f);
                if (src.contains("io.wickrcensus.job.ahead")) {
                    knowing.add(f.getFileName() + " names the package");
                }
                for (String h : headStarts) {
                    if (Pattern.compile("\\b" + h + "\\b").matcher(src).find()) {
                        knowing.add(f.getFileName() + " -> " + h);
                    }
                }
            }
        }
        assertThat(knowing).as("steps that know a head start").isEmpty();
    }

    @Test
    void everyPackageHasALayer() throws IOException {
        try (Stream<Path> dirs = Files.walk(SOURCES)) {
            dirs.filter(Files::isDirectory).filter(d -> !d.equals(SOURCES))
                    .forEach(d -> layer(SOURCES.relativize(d).toString().replace('/', '.')));
        }
    }
}
