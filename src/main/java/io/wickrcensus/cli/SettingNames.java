package io.wickrcensus.cli;

import io.wickrcensus.support.SettingException;
import java.util.Map;

/**
 * Which option or environment variable sets each setting, so that a refused value is said in the
 * words the operator wrote: {@code maxAttempts} is {@code --max-attempts}.
 */
final class SettingNames {

    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("networkIds", "--network-id"),
            Map.entry("asOf", "--as-of"),
            Map.entry("billingPeriods", "--billing-periods"),
            Map.entry("billingPeriodCount", "--billing-period-count"),
            Map.entry("region", "--region"),
            Map.entry("endpoint", "--endpoint"),
            Map.entry("maxAttempts", "--max-attempts"),
            Map.entry("apiReadTimeout", Environment.API_READ_TIMEOUT_MS),
            Map.entry("parallelism", "--parallelism"),
            Map.entry("unameConcurrency", "--uname-concurrency"),
            Map.entry("apiRatePerSecond", "--api-rate"),
            Map.entry("unameFreshness", "--uname-freshness-days"),
            Map.entry("reconcile", "--reconcile"),
            Map.entry("reconcileTolerance", "--reconcile-tolerance"),
            Map.entry("copyBatchRows", "--copy-batch-rows"),
            Map.entry("pushgateway", Environment.PUSHGATEWAY_URL),
            Map.entry("roles.auditor", Environment.AUDITOR_ROLE),
            Map.entry("roles.finance", Environment.FINANCE_ROLE),
            Map.entry("reinvite.mode", "--reinvite"),
            Map.entry("reinvite.cap", "--reinvite-cap"),
            Map.entry("reinvite.cooldown", "--reinvite-cooldown-days"),
            Map.entry("parquet.compression", "--parquet-compression"),
            Map.entry("parquet.maxFileBytes", "--parquet-max-file-mb"),
            Map.entry("database.url", Environment.DB_URL),
            Map.entry("catalog", "--catalog"),
            Map.entry("catalogUri", "--catalog-uri"),
            Map.entry("icebergExpireDays", "--iceberg-expire-days"),
            Map.entry("icebergCompactFiles", "--iceberg-compact-files"));

    private SettingNames() {
    }

    /** The option or variable of {@code setting}, or the setting's own name when the command line has none. */
    static String of(String setting) {
        return NAMES.getOrDefault(setting, setting);
    }

    /** The refusal in the operator's words. */
    static String message(SettingException e) {
        return e.messageFor(of(e.setting()));
    }

    /** Every setting the command line names (for tests). */
    static Map<String, String> all() {
        return NAMES;
    }
}
