package io.wickrcensus.cli;

import io.wickrcensus.job.run.ExitCodes;
import tools.jackson.databind.json.JsonMapper;
import io.wickrcensus.bench.Bench;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wickr-census bench}: the whole job against an emulator in its own process, measured against its lower bound. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark the whole job against the emulator (in its own process): wall time against the lower bound, "
                + "rows per second per step, API calls, retries, peak heap and RSS.")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--users", defaultValue = "100000", description = "Users in the network (default ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--guests", defaultValue = "20000", description = "Guests per billing period (default ${DEFAULT-VALUE}).")
    int guests;

    @Option(names = "--periods", split = ",", description = "Billing periods (default: this month and the two before).")
    List<String> periods;

    @Option(names = "--latency-ms", defaultValue = "30", description = "API latency per call, L (default ${DEFAULT-VALUE}).")
    int latencyMs;

    @Option(names = "--rate-limit", defaultValue = "100", description = "API requests per second, R; 0 for none (default ${DEFAULT-VALUE}). "
            + "The job's own budget (--api-rate) is set to 95%% of it, as an operator would.")
    double rateLimit;

    @Option(names = "--concurrency", defaultValue = "8", description = "Concurrent uname lookup calls (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--nights", defaultValue = "1", description = "Nights to run, with a day of churn between them (default ${DEFAULT-VALUE}).")
    int nights;

    @Option(names = "--churn-rate", defaultValue = "0.01", description = "Fraction of users changed per day of churn (default ${DEFAULT-VALUE}).")
    double churnRate;

    @Option(names = "--seed", description = "Seed of the synthetic network (default: random, printed).")
    Long seed;

    @Option(names = "--parquet", defaultValue = OnOff.ON, description = "Write the Parquet datasets too: on or off (default ${DEFAULT-VALUE}).")
    String parquet;

    @Option(names = "--iceberg", defaultValue = OnOff.ON, description = "Commit each night to the Iceberg tables too: on or off (default ${DEFAULT-VALUE}).")
    String iceberg;

    @Option(names = "--work-dir", description = "Where the embedded PostgreSQL and the datasets go (default: a new temporary directory, deleted after).")
    Path workDir;

    @Option(names = "--peer", arity = "0..1", fallbackValue = "src/test/resources/peer/census-peer.sh",
            description = "Before the nights, run the shell peer (curl, jq, psql, one call after another) against the same emulator "
                    + "and compare its wall time with the first night's (default script: ${FALLBACK-VALUE}, from the repository).")
    Path peer;

    @Option(names = "--json", description = "Print the figures as JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (users < 1 || guests < 0 || nights < 1 || concurrency < 1 || latencyMs < 0 || rateLimit < 0) {
            throw new IllegalArgumentException("--users, --nights and --concurrency must be positive; --guests, --latency-ms and --rate-limit not negative");
        }
        boolean writeParquet = OnOff.parse("--parquet", parquet);
        List<YearMonth> ps = new ArrayList<>();
        if (periods == null) {
            YearMonth now = YearMonth.now(ZoneOffset.UTC);
            ps.addAll(List.of(now.minusMonths(2), now.minusMonths(1), now));
        } else {
            for (String p : periods) {
                ps.add(io.wickrcensus.api.model.BillingPeriod.parse(p));
            }
        }
        long s = seed != null ? seed : new java.security.SecureRandom().nextLong() & 0xffffffffL;
        boolean temporary = workDir == null;
        Path dir = temporary ? Files.createTempDirectory("wickr-census-bench") : workDir;
        Bench.Options o = new Bench.Options(users, guests, ps, latencyMs, rateLimit, concurrency, nights, churnRate, s,
                writeParquet, dir, peer, OnOff.parse("--iceberg", iceberg));
        PrintStream out = System.out;
        Bench.Result r;
        try {
            r = Bench.run(o, Environment.current().database(dir.resolve("postgres")), Main.class.getName(), System.err);
        } finally {
            if (temporary) {
                io.wickrcensus.parquet.PartitionWriter.deleteTree(dir);
            }
        }
        if (json) {
            out.println(JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(r));
        } else {
            out.print(table(r));
        }
        out.flush();
        return r.nights().stream().mapToInt(Bench.Night::exitCode).reduce(ExitCodes.OK, ExitCodes::worst);
    }

    static String table(Bench.Result r) {
        Bench.Options o = r.options();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "wickr-census bench: %,d users, %,d guests x %d periods, L = %d ms, R = %s, uname concurrency %d, seed %d, "
                        + "%d CPUs, max heap %,d MB%n", o.users(), o.guests(), o.periods().size(), o.latencyMs(),
                o.rateLimit() > 0 ? String.format(Locale.ROOT, "%.0f/s", o.rateLimit()) : "none", o.concurrency(), o.seed(),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20));
        if (r.peer() != null && !r.nights().isEmpty()) {
            double job = r.nights().get(0).wallSeconds();
            b.append(String.format(Locale.ROOT, "%npeer script     %8.1f s   (%s; curl, jq and psql, one call after another)%n",
                    r.peer().wallSeconds(), r.peer().loaded()));
            b.append(String.format(Locale.ROOT, "  the job's first night is %.1f x faster (%.1f s)%n", r.peer().wallSeconds() / job, job));
        }
        for (Bench.Night n : r.nights()) {
            b.append(String.format(Locale.ROOT, "%nnight %d (%s): exit %d%n", n.night(), n.asOf(), n.exitCode()));
            b.append(String.format(Locale.ROOT, "  wall time     %8.1f s   (%,.0f users/s through the whole job)%n", n.wallSeconds(), n.usersPerSecond()));
            b.append(String.format(Locale.ROOT, "  cpu           job %.1f s, PostgreSQL %s, emulator %.1f s (not the job's)%n", n.cpu().job(),
                    Double.isNaN(n.cpu().postgres()) ? "n/a (not on this host)" : String.format(Locale.ROOT, "%.1f s", n.cpu().postgres()),
                    n.cpu().emulator()));
            b.append(String.format(Locale.ROOT, "  lower bound   %8.1f s   max(%,d ListUsers pages x L, %,d guest pages x L, %,d calls / R)%n",
                    n.lowerBoundSeconds(), n.userPages(), n.maxGuestPages(), n.successfulCalls()));
            if (n.lowerBoundSeconds() > 0) {
                // the targets (README) are a factor of the lower bound plus seconds: print both parts
                b.append(String.format(Locale.ROOT, "  ratio         %8.2f     (wall - 1.15 x lower bound = %+.1f s, wall - 1.2 x lower bound = %+.1f s)%n",
                        n.ratio(), n.wallSeconds() - 1.15 * n.lowerBoundSeconds(), n.wallSeconds() - 1.2 * n.lowerBoundSeconds()));
            }
            Bench.Phases ph = n.phases();
            b.append(String.format(Locale.ROOT, "  phases        start-up %.1f s, API-bound %.1f s (users, guests, unames), tail %.1f s "
                    + "(reconcile, re-invite, publish, Parquet), close %.1f s%n", ph.startupSeconds(), ph.apiSeconds(), ph.tailSeconds(),
                    ph.closeSeconds()));
            b.append(String.format(Locale.ROOT, "  %-12s %9s %12s %12s%n", "step", "seconds", "rows", "rows/s"));
            for (Bench.Step s : n.steps()) {
                b.append(String.format(Locale.ROOT, "  %-12s %9.1f %,12d %,12.0f%n", s.step(), s.seconds(), s.rows(), s.rowsPerSecond()));
            }
            b.append("  api calls    ");
            for (Map.Entry<String, Long> e : n.calls().entrySet()) {
                b.append(String.format(Locale.ROOT, " %s %,d", e.getKey(), e.getValue()));
            }
            b.append(String.format(Locale.ROOT, "%n  retries       %,d (throttled %,d)%n", n.retries(), n.throttled()));
            if (!n.emulatorMsPerCall().isEmpty()) {
                b.append("  emulator      ms of work a call besides L:");
                n.emulatorMsPerCall().forEach((op, ms) -> b.append(String.format(Locale.ROOT, " %s %.2f", op, ms)));
                b.append(String.format(Locale.ROOT, "%n"));
            }
            b.append(String.format(Locale.ROOT, "  peak heap     %,d MB (live set %,d MB: most in use after a full GC, sampled every 5 s), peak RSS %,d MB%n", n.peakHeapMb(),
                    n.peakHeapAfterGcMb(), n.peakRssMb()));
            b.append(String.format(Locale.ROOT, "  unames        %,d new in this snapshot; %,d lookup calls, ceil(new / 50) = %,d%n",
                    n.newUnames(), n.lookupCalls(), n.lookupCallsNeeded()));
        }
        return b.toString();
    }
}
