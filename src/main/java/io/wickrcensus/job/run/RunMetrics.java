package io.wickrcensus.job.run;

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
            String stepName = partition < 0 ? name : name.substring(0, partition);
            Timer.builder("census.step.duration").description("Duration of each job step")
                    .tag("step", stepName)
                    .tag("status", step.getStatus().name())
                    .register(registry).record(Duration.between(step.getStartTime(), end));
            java.time.ZoneId zone = java.time.ZoneId.systemDefault();
            spans.merge(stepName, new Span(step.getStartTime().atZone(zone).toInstant(), end.atZone(zone).toInstant()), Span::union);
        }
        return null;
    }

    /** When a step (all its partitions and executions together) first started and last ended. */
    public record Span(java.time.Instant start, java.time.Instant end) {
        Span union(Span o) {
            return new Span(start.isBefore(o.start) ? start : o.start, end.isAfter(o.end) ? end : o.end);
        }
    }

    private final Map<String, Span> spans = new java.util.concurrent.ConcurrentHashMap<>();

    /** Each step's span in time, by step name. */
    public Map<String, Span> stepSpans() {
        return new TreeMap<>(spans);
    }

    /** A run published although its counts did not reconcile ({@code --reconcile=warn}). */
    public void reconcileWarning() {
        Counter.builder("census.reconcile.warnings").description("Runs published although staged and reported counts differed")
                .register(registry).increment();
    }

    /** Runs published with a reconciliation warning. */
    public long reconcileWarnings() {
        return meters("census.reconcile.warnings").mapToLong(m -> (long) ((Counter) m).count()).sum();
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
    public void push(URI u, Map<String, String> grouping) throws IOException {
        PushGateway.Builder b = PushGateway.builder()
                .address(u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80))
                .scheme("https".equals(u.getScheme()) ? Scheme.HTTPS : Scheme.HTTP)
                .format(Format.PROMETHEUS_TEXT)
                .job("wickr-census")
                .registry(registry.getPrometheusRegistry());
        grouping.forEach(b::groupingKey);
        b.build().push();
    }

    /** Successful-or-not HTTP attempts per operation. */
    public Map<String, Long> calls() {
        Map<String, Long> calls = new TreeMap<>();
        meters("census.api.calls").forEach(m -> calls.merge(m.getId().getTag("operation"), ((Timer) m).count(), Long::sum));
        return calls;
    }

    /** Attempts per operation that ended with this outcome ({@code ok}, {@code throttled}, ...). */
    public Map<String, Long> calls(String outcome) {
        Map<String, Long> calls = new TreeMap<>();
        meters("census.api.calls").filter(m -> outcome.equals(m.getId().getTag("outcome")))
                .forEach(m -> calls.merge(m.getId().getTag("operation"), ((Timer) m).count(), Long::sum));
        return calls;
    }

    public long retries() {
        return meters("census.api.retries").mapToLong(m -> (long) ((Counter) m).count()).sum();
    }

    public long throttled() {
        return total(calls("throttled"));
    }

    /** Rows written per table. */
    public Map<String, Long> rows() {
        Map<String, Long> rows = new TreeMap<>();
        meters("census.rows.written").forEach(m -> rows.merge(m.getId().getTag("table"), (long) ((Counter) m).count(), Long::sum));
        return rows;
    }

    /** Seconds per step, partitions of a step added up. */
    public Map<String, Double> stepSeconds() {
        Map<String, Double> steps = new TreeMap<>();
        meters("census.step.duration").forEach(m -> steps.merge(m.getId().getTag("step"), ((Timer) m).totalTime(TimeUnit.SECONDS), Double::sum));
        return steps;
    }

    private java.util.stream.Stream<Meter> meters(String name) {
        return registry.getMeters().stream().filter(m -> m.getId().getName().equals(name));
    }

    /** One line: calls per operation, retries, throttles, rows per table, seconds per step. */
    public String summary() {
        Map<String, Long> calls = calls();
        return "api calls " + total(calls) + " " + join(calls, v -> v) + ", retries " + retries() + ", throttled " + throttled()
                + (reconcileWarnings() > 0 ? ", RECONCILE WARNINGS " + reconcileWarnings() : "")
                + ", rows " + join(rows(), v -> v) + ", step seconds " + join(stepSeconds(), v -> v);
    }

    static long total(Map<String, Long> m) {
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
