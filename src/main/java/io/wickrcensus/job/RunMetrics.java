package io.wickrcensus.job;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.exporter.pushgateway.Format;
import io.prometheus.metrics.exporter.pushgateway.PushGateway;
import io.prometheus.metrics.exporter.pushgateway.Scheme;
import io.wickrcensus.api.ApiCallListener;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;

/**
 * The metrics of one process's run: API calls by operation and outcome, retries and throttles,
 * rows written per table, step durations. Kept in a Prometheus registry, pushed to a Pushgateway
 * at the end of the run when one is configured, and always summarised in one log line.
 */
public final class RunMetrics implements ApiCallListener, StepExecutionListener {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong exitCode = new AtomicLong(-1);
    private final AtomicLong finishedAt = new AtomicLong();

    public RunMetrics() {
        Gauge.builder("census.run.exit.code", exitCode, AtomicLong::get).description("Exit code of the run").register(registry);
        Gauge.builder("census.run.finished", finishedAt, AtomicLong::get).baseUnit("seconds")
                .description("When the run ended, seconds since the epoch").register(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The outcome label of an HTTP attempt. */
    static String outcome(int status) {
        if (status < 0) {
            return "transport_error";
        }
        if (status == 429) {
            return "throttled";
        }
        return switch (status / 100) {
            case 2 -> "ok";
            case 4 -> "client_error";
            case 5 -> "server_error";
            default -> "other";
        };
    }

    @Override
    public void attempt(String operation, int status, long nanos) {
        Timer.builder("census.api.calls").description("HTTP attempts to the Wickr Admin API")
                .tag("operation", operation).tag("outcome", outcome(status)).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void retry(String operation, Throwable cause, boolean throttled) {
        Counter.builder("census.api.retries").description("Attempts that failed and were retried")
                .tag("operation", operation).tag("reason", throttled ? "throttled" : "error").register(registry).increment();
    }

    /** Rows the run wrote to a table. */
    public void rows(String table, long n) {
        Counter.builder("census.rows.written").description("Rows written, by table").tag("table", table).register(registry).increment(n);
    }

    @Override
    public ExitStatus afterStep(StepExecution step) {
        if (step.getStartTime() != null) {
            java.time.LocalDateTime end = step.getEndTime() != null ? step.getEndTime() : java.time.LocalDateTime.now();
            String name = step.getStepName();
            int partition = name.indexOf(':');
            Timer.builder("census.step.duration").description("Duration of each job step")
                    .tag("step", partition < 0 ? name : name.substring(0, partition))
                    .tag("status", step.getStatus().name())
                    .register(registry).record(Duration.between(step.getStartTime(), end));
        }
        return null;
    }

    /** Records how the run ended. */
    public void finished(int code) {
        exitCode.set(code);
        finishedAt.set(System.currentTimeMillis() / 1000);
    }

    /**
     * Pushes every meter to the Pushgateway at {@code url} ({@code http(s)://host:port}) under job
     * {@code wickr-census}, grouped by {@code grouping} (PUT: replaces the group's previous push).
     */
    public void push(String url, Map<String, String> grouping) throws IOException {
        URI u = URI.create(url);
        if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
            throw new IllegalArgumentException("CENSUS_PUSHGATEWAY_URL must be http(s)://host:port, got '" + url + "'");
        }
        PushGateway.Builder b = PushGateway.builder()
                .address(u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80))
                .scheme("https".equals(u.getScheme()) ? Scheme.HTTPS : Scheme.HTTP)
                .format(Format.PROMETHEUS_TEXT)
                .job("wickr-census")
                .registry(registry.getPrometheusRegistry());
        grouping.forEach(b::groupingKey);
        b.build().push();
    }

    /** One line: calls per operation, retries, throttles, rows per table, seconds per step. */
    public String summary() {
        Map<String, Long> calls = new TreeMap<>();
        Map<String, Long> rows = new TreeMap<>();
        Map<String, Double> steps = new TreeMap<>();
        long[] retries = new long[2];
        long[] throttles = new long[1];
        for (Meter m : registry.getMeters()) {
            String name = m.getId().getName();
            switch (name) {
                case "census.api.calls" -> {
                    long n = ((Timer) m).count();
                    calls.merge(m.getId().getTag("operation"), n, Long::sum);
                    if ("throttled".equals(m.getId().getTag("outcome"))) {
                        throttles[0] += n;
                    }
                }
                case "census.api.retries" -> retries[0] += (long) ((Counter) m).count();
                case "census.rows.written" -> rows.merge(m.getId().getTag("table"), (long) ((Counter) m).count(), Long::sum);
                case "census.step.duration" -> steps.merge(m.getId().getTag("step"), ((Timer) m).totalTime(TimeUnit.SECONDS), Double::sum);
                default -> { }
            }
        }
        return "api calls " + total(calls) + " " + join(calls, v -> v) + ", retries " + retries[0] + ", throttled " + throttles[0]
                + ", rows " + join(rows, v -> v) + ", step seconds " + join(steps, v -> v);
    }

    private static long total(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    private static <V extends Number> String join(Map<String, V> m, ToDoubleFunction<V> f) {
        if (m.isEmpty()) {
            return "(none)";
        }
        StringBuilder b = new StringBuilder("(");
        m.forEach((k, v) -> {
            if (b.length() > 1) {
                b.append(' ');
            }
            double d = f.applyAsDouble(v);
            b.append(k).append('=').append(d == Math.rint(d) ? String.format(Locale.ROOT, "%d", (long) d)
                    : String.format(Locale.ROOT, "%.1f", d));
        });
        return b.append(')').toString();
    }
}
