package io.wickrcensus.job;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@code run} needs, validated before any API call or database change.
 *
 * @param networkIds         the networks to snapshot, each an independent job instance
 * @param asOf               the snapshot date (UTC); with the network, it names the run
 * @param billingPeriods     the guest billing periods covered, oldest first
 * @param region             AWS region of the Wickr Admin API
 * @param endpoint           endpoint override, or null for the region's endpoint
 * @param maxAttempts        attempts per API call
 * @param parallelism        networks run at once
 * @param unameConcurrency   concurrent BatchLookupUserUname calls per network
 * @param apiRatePerSecond   client-side budget of API calls per second shared by a network's
 *                           concurrent lookups (0: none); it shrinks on 429s and grows back
 * @param unameFreshness     unames resolved within this window are not looked up again
 * @param reconcileTolerance the largest relative difference between staged and reported counts
 * @param copyBatchRows      rows per COPY into staging (and per committed chunk)
 * @param dataDir            where the embedded PostgreSQL keeps its data when no database is configured
 * @param reinvite           the opt-in re-invitation of pending users whose invitation expired
 * @param parquet            where and how the Parquet datasets are written
 */
public record RunSettings(
        List<String> networkIds,
        LocalDate asOf,
        List<YearMonth> billingPeriods,
        String region,
        URI endpoint,
        int maxAttempts,
        int parallelism,
        int unameConcurrency,
        double apiRatePerSecond,
        Duration unameFreshness,
        double reconcileTolerance,
        int copyBatchRows,
        Path dataDir,
        ReinviteSettings reinvite,
        io.wickrcensus.parquet.ParquetSettings parquet) {

    public RunSettings {
        networkIds = List.copyOf(new java.util.LinkedHashSet<>(Objects.requireNonNull(networkIds, "networkIds")));
        billingPeriods = List.copyOf(billingPeriods);
        if (networkIds.isEmpty()) {
            throw new IllegalArgumentException("no network id: give at least one --network-id");
        }
        for (String id : networkIds) {
            if (id == null || !id.matches("[A-Za-z0-9_-]{1,64}")) {
                throw new IllegalArgumentException("network id '" + id + "' must be 1-64 letters, digits, '-' or '_'");
            }
        }
        Objects.requireNonNull(asOf, "asOf");
        if (billingPeriods.isEmpty()) {
            throw new IllegalArgumentException("no billing period to cover");
        }
        if (maxAttempts < 1 || maxAttempts > 20) {
            throw new IllegalArgumentException("--max-attempts must be between 1 and 20, got " + maxAttempts);
        }
        if (parallelism < 1 || parallelism > 64) {
            throw new IllegalArgumentException("--parallelism must be between 1 and 64, got " + parallelism);
        }
        if (unameConcurrency < 1 || unameConcurrency > 64) {
            throw new IllegalArgumentException("--uname-concurrency must be between 1 and 64, got " + unameConcurrency);
        }
        if (apiRatePerSecond < 0) {
            throw new IllegalArgumentException("--api-rate must not be negative");
        }
        if (unameFreshness.isNegative()) {
            throw new IllegalArgumentException("--uname-freshness-days must not be negative");
        }
        if (reconcileTolerance < 0 || reconcileTolerance > 1) {
            throw new IllegalArgumentException("--reconcile-tolerance must be a fraction between 0 and 1, got " + reconcileTolerance);
        }
        reinvite = reinvite == null ? ReinviteSettings.OFF : reinvite;
        parquet = parquet == null ? io.wickrcensus.parquet.ParquetSettings.OFF : parquet;
        if (copyBatchRows < 100) {
            throw new IllegalArgumentException("copy batch must be at least 100 rows");
        }
    }
}
