package io.wickrcensus.bench;

import io.wickrcensus.api.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The emulator in a process of its own, so that what the benchmark measures of the job (heap,
 * RSS, CPU) is the job's alone. Steered over its unsigned {@code /_emulator/} endpoints.
 */
final class EmulatorProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+) .*serving networks (\\S+)");

    private final Process process;
    final URI endpoint;
    final String networkId;
    private final HttpClient http = HttpClient.newHttpClient();

    /** The emulator's process id, for its CPU figures. */
    long pid() {
        return process.pid();
    }

    private EmulatorProcess(Process process, URI endpoint, String networkId) {
        this.process = process;
        this.endpoint = endpoint;
        this.networkId = networkId;
    }

    /** Starts {@code wickr-census emulator} with these options and waits for the line saying where it listens. */
    static EmulatorProcess start(String mainClass, List<String> emulatorArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseParallelGC"));
        String cp = System.getProperty("java.class.path");
        if (cp.endsWith(".jar") && !cp.contains(java.io.File.pathSeparator)) {
            cmd.addAll(List.of("-jar", cp)); // the executable jar: its classes are nested, so it launches itself
        } else {
            cmd.addAll(List.of("-cp", cp, mainClass));
        }
        cmd.addAll(List.of("emulator", "--port", "0"));
        cmd.addAll(emulatorArgs);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // keep the pipe empty
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                }, "emulator-stdout");
                drain.setDaemon(true);
                drain.start();
                return new EmulatorProcess(p, URI.create(m.group(1)), m.group(2).replaceAll("[^A-Za-z0-9_-]", ""));
            }
        }
        p.destroyForcibly();
        throw new IOException("the emulator process ended before it listened (exit " + waitFor(p) + ")");
    }

    private static int waitFor(Process p) {
        try {
            return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Advances the network by {@code days} of churn. */
    void churn(int days) throws IOException, InterruptedException {
        post("networks/" + networkId + "/churn?days=" + days);
    }

    /**
     * The emulator's counters ({@code GET /_emulator/stats}): answers per operation and status, and
     * {@code workMicros.<operation>}, the time spent answering besides the injected latency.
     */
    Map<String, Long> stats() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint.resolve("/_emulator/stats")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("the emulator answered " + r.statusCode() + " to stats: " + r.body());
        }
        Map<String, Long> out = new TreeMap<>();
        Json.MAPPER.readTree(r.body()).properties().forEach(e -> out.put(e.getKey(), e.getValue().asLong()));
        return out;
    }

    private void post(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint.resolve("/_emulator/" + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("the emulator answered " + r.statusCode() + " to " + path + ": " + r.body());
        }
    }

    @Override
    public void close() {
        process.destroy();
        if (waitFor(process) < 0) {
            process.destroyForcibly();
        }
    }
}
