package io.wickrcensus.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's headless Chromium, for rendering the HTML reports. {@code .ci/run} installs it; on a
 * developer's machine without it the rendering tests are skipped, in CI they fail.
 */
public final class Chromium {

    private final Path binary;

    private Chromium(Path binary) {
        this.binary = binary;
    }

    public static Chromium find() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return new Chromium(Path.of(candidate));
            }
        }
        String message = "Chromium is not installed (apt-get install chromium; .ci/run does it)";
        if (System.getenv("CI") != null) {
            throw new AssertionError(message);
        }
        Assumptions.abort(message);
        return null;
    }

    /** The DOM Chromium built from the page, serialised. */
    public String dumpDom(Path html) throws IOException, InterruptedException {
        return run(html, "--dump-dom");
    }

    public void screenshot(Path html, Path png) throws IOException, InterruptedException {
        run(html, "--screenshot=" + png, "--window-size=1280,1600", "--hide-scrollbars");
        if (!Files.isRegularFile(png)) {
            throw new AssertionError("Chromium wrote no screenshot to " + png);
        }
    }

    public void printToPdf(Path html, Path pdf) throws IOException, InterruptedException {
        run(html, "--print-to-pdf=" + pdf, "--no-pdf-header-footer");
        if (!Files.isRegularFile(pdf)) {
            throw new AssertionError("Chromium wrote no PDF to " + pdf);
        }
    }

    private String run(Path html, String... args) throws IOException, InterruptedException {
        Path profile = TestFiles.dir("chromium-profile");
        try {
            // the machine's network is closed: without the background-networking flags Chromium keeps trying
            List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile));
            cmd.addAll(List.of(args));
            cmd.add(html.toUri().toString());
            Path out = Files.createTempFile(TestFiles.root(), "chromium-", ".out");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("Chromium did not finish within 90 s");
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            Files.deleteIfExists(out);
            if (p.exitValue() != 0) {
                throw new AssertionError("Chromium exited with " + p.exitValue());
            }
            return stdout;
        } finally {
            try (var walk = Files.walk(profile)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
