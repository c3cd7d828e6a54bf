package io.wickrcensus.cli;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.api.model.BillingPeriod;
import io.wickrcensus.emulator.EmulatorConfig;
import io.wickrcensus.emulator.WickrEmulator;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wickr-census emulator}: serves synthetic networks over the Wickr Admin API until stopped. */
@Command(name = "emulator", mixinStandardHelpOptions = true,
        description = "Start a local Wickr Admin API emulator on loopback (SigV4-verified, deterministic data, fault injection).")
public final class EmulatorCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8787", description = "TCP port; 0 picks a free one (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the synthetic data (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--networks", defaultValue = "1", description = "How many networks to serve, ids derived from the seed (default ${DEFAULT-VALUE}).")
    int networks;

    @Option(names = "--network-id", description = "Serve this network id (repeatable); overrides --networks.")
    List<String> networkIds = new ArrayList<>();

    @Option(names = "--users", defaultValue = "1000", description = "Users per network (default ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--guests", defaultValue = "200", description = "Guest users per billing period (default ${DEFAULT-VALUE}).")
    int guests;

    @Option(names = "--periods", split = ",", description = "Billing periods served, e.g. 2026-09,2026-10,2026-11 (default: this month and the two before, UTC).")
    List<String> periods = new ArrayList<>();

    @Option(names = "--access-key", defaultValue = "AKIDEXAMPLE", description = "Access key id accepted (default ${DEFAULT-VALUE}).")
    String accessKey;

    @Option(names = "--secret-key", defaultValue = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            description = "Secret key the signatures are checked against (default ${DEFAULT-VALUE}, the AWS documentation example key).")
    String secretKey;

    @Option(names = "--region", defaultValue = "us-east-1", description = "Region the signatures must be scoped to (default ${DEFAULT-VALUE}).")
    String region;

    @Option(names = "--latency-ms", defaultValue = "0", description = "Added latency per call in ms (default ${DEFAULT-VALUE}).")
    int latencyMs;

    @Option(names = "--latency-jitter-ms", defaultValue = "0", description = "Random extra latency up to this many ms (default ${DEFAULT-VALUE}).")
    int latencyJitterMs;

    @Option(names = "--fail-429", defaultValue = "0", description = "Fraction of calls answered 429 RateLimitError.")
    double fail429;

    @Option(names = "--fail-500", defaultValue = "0", description = "Fraction of calls answered 500 InternalServerError.")
    double fail500;

    @Option(names = "--malformed", defaultValue = "0", description = "Fraction of calls answered 200 with broken JSON.")
    double malformed;

    @Option(names = "--truncated", defaultValue = "0", description = "Fraction of calls whose body is cut short.")
    double truncated;

    @Option(names = "--drop", defaultValue = "0", description = "Fraction of calls whose connection is dropped unanswered.")
    double drop;

    @Option(names = "--rate-limit", defaultValue = "0", description = "Requests per second beyond which calls get 429 (0: no limit).")
    double rateLimit;

    @Option(names = "--churn-days", defaultValue = "0", description = "Days of churn already applied at start (default ${DEFAULT-VALUE}).")
    int churnDays;

    @Option(names = "--clock-skew-s", defaultValue = "0",
            description = "Run the service's clock this many seconds off (negative: behind), as a client with a skewed clock sees it (default ${DEFAULT-VALUE}).")
    long clockSkewSeconds;

    @Option(names = "--ignore-client-tokens",
            description = "Treat a repeated X-Client-Token as a new request: re-invite again (the model marks it an idempotency token but not for how long).")
    boolean ignoreClientTokens;

    @Option(names = "--guest-variation", defaultValue = OnOff.ON, description = "Vary the guests from period to period with the seed "
            + "(growth, seasonality, a quiet month; some return after a period away): on or off, when every period holds --guests "
            + "(default ${DEFAULT-VALUE}; with it on, --guests is the latest period's count).")
    String guestVariation;

    @Option(names = "--users-count-bots", defaultValue = "exclude",
            description = "Whether GetUsersCount counts the bots ListUsers lists: include or exclude (default ${DEFAULT-VALUE}; GetBotsCount counts them).")
    String usersCountBots;

    @Option(names = "--list-users-bots", defaultValue = "include",
            description = "Whether ListUsers lists the network's bots: include or omit (default ${DEFAULT-VALUE}; the model does not say).")
    String listUsersBots;

    @Option(names = "--reinvite-keeps-expired-flag",
            description = "A re-invited user keeps isInviteExpired true (the model does not say a re-invitation clears it).")
    boolean reinviteKeepsExpiredFlag;

    @Option(names = "--expired-signature", defaultValue = "FORBIDDEN",
            description = "How a request signed too far from the service's time is refused: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    EmulatorConfig.ExpiredSignature expiredSignature;

    @Option(names = "--prerendered-pages", defaultValue = OnOff.OFF, description = "Render each network's plain ListUsers listing "
            + "(pages of 100, no filter or sort, as the job asks) ahead into a temporary file, about 0.4 KB a user, at start and after "
            + "each churn through /_emulator/, and answer from it while the network is unchanged: on or off (default ${DEFAULT-VALUE}; "
            + "the benchmark turns it on, so the emulator's CPU is spent before the clock).")
    String prerenderedPages;

    @Option(names = "--churn-rate", defaultValue = "0.01", description = "Fraction of users changed per day of churn (default ${DEFAULT-VALUE}).")
    double churnRate;

    @Override
    public Integer call() throws Exception {
        List<YearMonth> ym = new ArrayList<>();
        for (String p : periods) {
            try {
                ym.add(BillingPeriod.parse(p));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--periods: " + e.getMessage());
            }
        }
        EmulatorConfig config = EmulatorConfig.builder()
                .bindAddress(bind).port(port).seed(seed).networks(networks).networkIds(networkIds)
                .users(users).guests(guests).periods(ym).accessKey(accessKey).secretKey(secretKey).region(region)
                .latencyMs(latencyMs).latencyJitterMs(latencyJitterMs).fail429(fail429).fail500(fail500)
                .malformed(malformed).truncated(truncated).drop(drop).rateLimit(rateLimit)
                .churnDays(churnDays).churnRate(churnRate)
                .clockSkewSeconds(clockSkewSeconds)
                .ignoreClientTokens(ignoreClientTokens)
                .guestVariation(OnOff.parse("--guest-variation", guestVariation))
                .reinviteKeepsExpiredFlag(reinviteKeepsExpiredFlag)
                .expiredSignature(expiredSignature)
                .prerenderedPages(OnOff.parse("--prerendered-pages", prerenderedPages))
                .listUsersIncludesBots(either("--list-users-bots", listUsersBots, "include", "omit"))
                .usersCountIncludesBots(either("--users-count-bots", usersCountBots, "include", "exclude"))
                .build();
        WickrEmulator emulator = WickrEmulator.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emulator.close();
            stopped.countDown();
        }, "emulator-shutdown"));
        System.out.println(emulator.describe());
        System.out.flush();
        stopped.await();
        return ExitCodes.OK;
    }

    /** Whether {@code value} of {@code option} is {@code yes} rather than {@code no}; anything else is refused in one line. */
    private static boolean either(String option, String value, String yes, String no) {
        if (value.equals(yes) || value.equals(no)) {
            return value.equals(yes);
        }
        throw new IllegalArgumentException(option + " must be " + yes + " or " + no + ", got '" + value + "'");
    }
}
