package io.wickrcensus.cli;

import io.wickrcensus.db.DatabaseSettings;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.parquet.FileRoot;
import io.wickrcensus.parquet.S3Target;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every environment variable the job reads by name, read here and nowhere else: at the edge, into
 * the settings the commands build. A value that does not parse is one line naming the variable.
 * (The AWS SDK reads its own variables itself: credentials, AWS_PROFILE, AWS_ENDPOINT_URL*.)
 */
final class Environment {

    static final String NETWORK_IDS = "CENSUS_NETWORK_IDS";
    static final String SHARDS = "CENSUS_SHARDS";
    /** Set by a Kubernetes Indexed Job in each of its pods. */
    static final String COMPLETION_INDEX = "JOB_COMPLETION_INDEX";
    static final String REPORTS_DIR = "CENSUS_REPORTS_DIR";
    static final String COMPLETE_IS_SUCCESS = "CENSUS_COMPLETE_IS_SUCCESS";
    static final String API_READ_TIMEOUT_MS = "CENSUS_API_READ_TIMEOUT_MS";
    static final String PUSHGATEWAY_URL = "CENSUS_PUSHGATEWAY_URL";
    static final String AUDITOR_ROLE = "CENSUS_AUDITOR_ROLE";
    static final String FINANCE_ROLE = "CENSUS_FINANCE_ROLE";
    static final String DB_URL = "CENSUS_DB_URL";
    static final String DB_USER = "CENSUS_DB_USER";
    static final String DB_PASSWORD = "CENSUS_DB_PASSWORD";
    static final String DATA_DIR = "CENSUS_DATA_DIR";
    static final String OUTPUT_DIR = "CENSUS_OUTPUT_DIR";
    static final String S3_REGION = "CENSUS_S3_REGION";
    static final String S3_PATH_STYLE = "CENSUS_S3_PATH_STYLE";
    static final String GRACE_DAYS = "CENSUS_GRACE_DAYS";
    static final String ICEBERG = "CENSUS_ICEBERG";
    static final String CATALOG = "CENSUS_CATALOG";
    static final String CATALOG_URI = "CENSUS_CATALOG_URI";
    /** Iceberg catalog properties: {@code CENSUS_ICEBERG_REST_SIGNING__NAME=s3tables} is {@code rest.signing-name=s3tables}. */
    static final String ICEBERG_PROPERTY_PREFIX = "CENSUS_ICEBERG_";
    static final String AWS_REGION = "AWS_REGION";
    static final String AWS_DEFAULT_REGION = "AWS_DEFAULT_REGION";
    static final String FIPS = "AWS_USE_FIPS_ENDPOINT";
    static final String DUAL_STACK = "AWS_USE_DUALSTACK_ENDPOINT";
    /** Through which the SDK takes a custom S3 endpoint (read by the SDK; here only whether one is set). */
    static final List<String> S3_ENDPOINTS = List.of("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");

    private final Map<String, String> env;

    Environment(Map<String, String> env) {
        this.env = env;
    }

    /** The process's environment. */
    static Environment current() {
        return new Environment(System.getenv());
    }

    /** The variable's value, trimmed, or null when it is unset or blank. */
    String get(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** A boolean variable as the AWS SDKs read it: true or false, unset is false. */
    boolean flag(String name) {
        String v = get(name);
        if (v == null) {
            return false;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false, got '" + v + "'");
        };
    }

    /** An on/off variable; {@code dflt} when unset; else one line naming it. */
    boolean onOff(String name, boolean dflt) {
        String v = get(name);
        return v == null ? dflt : OnOff.parse(name, v);
    }

    /**
     * Iceberg's catalog properties, passed as they are: each {@code CENSUS_ICEBERG_*} variable, its
     * name after the prefix lower-cased, {@code __} made {@code -} and {@code _} made {@code .} (the
     * convention of Iceberg's REST catalog image): {@code CENSUS_ICEBERG_WAREHOUSE} is
     * {@code warehouse}, {@code CENSUS_ICEBERG_REST_SIGV4__ENABLED} is {@code rest.sigv4-enabled}.
     */
    java.util.Map<String, String> icebergProperties() {
        java.util.Map<String, String> props = new java.util.TreeMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith(ICEBERG_PROPERTY_PREFIX) && k.length() > ICEBERG_PROPERTY_PREFIX.length() && v != null && !v.isBlank()) {
                props.put(k.substring(ICEBERG_PROPERTY_PREFIX.length()).toLowerCase(Locale.ROOT).replace("__", "-").replace('_', '.'),
                        v.strip());
            }
        });
        return props;
    }

    /** A positive whole number, or null when unset; else one line "NAME must be a positive WHAT". */
    Long positive(String name, String what) {
        String v = get(name);
        if (v == null) {
            return null;
        }
        try {
            long n = Long.parseLong(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(name + " must be a positive " + what + ", got '" + v + "'");
    }

    /** The networks CENSUS_NETWORK_IDS lists, separated by spaces or commas. */
    List<String> networkIds() {
        List<String> ids = new ArrayList<>();
        String listed = get(NETWORK_IDS);
        if (listed != null) {
            for (String id : listed.split("[\\s,]+")) {
                if (!id.isEmpty()) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }

    /**
     * The job's AWS region: the option, else AWS_REGION, else AWS_DEFAULT_REGION, else what the
     * SDK's own providers find (the {@code aws.region} system property, the AWS profile's
     * {@code region}); null when none is set. The instance metadata service is not asked: a host's
     * region need not be its Wickr network's.
     */
    String region(String option) {
        if (option != null) {
            return option;
        }
        String r = get(AWS_REGION);
        if (r == null) {
            r = get(AWS_DEFAULT_REGION);
        }
        return r != null ? r : sdkRegion();
    }

    /** {@link #region}, refused in one line when none is set (the SDK refuses to guess one too). */
    String requiredRegion(String option) {
        String r = region(option);
        if (r == null) {
            throw new IllegalArgumentException("no AWS region is set: set " + AWS_REGION + " or pass --region (the Wickr network's "
                    + "region, such as us-east-1), or give the AWS profile a region");
        }
        return r;
    }

    private static String sdkRegion() {
        try {
            return new software.amazon.awssdk.regions.providers.AwsRegionProviderChain(
                    new software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider(),
                    new software.amazon.awssdk.regions.providers.AwsProfileRegionProvider()).getRegion().id();
        } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
            return null; // none of them has one
        }
    }

    /** Whether to call the FIPS endpoint: AWS_USE_FIPS_ENDPOINT, else what the SDK's provider finds (system property, AWS profile). */
    boolean fips() {
        return get(FIPS) != null ? flag(FIPS)
                : sdkFlag(FIPS, () -> software.amazon.awssdk.awscore.endpoint.FipsEnabledProvider.builder().build().isFipsEnabled());
    }

    /** Whether to call the dual-stack endpoint: AWS_USE_DUALSTACK_ENDPOINT, else the SDK's provider (system property, AWS profile). */
    boolean dualStack() {
        return get(DUAL_STACK) != null ? flag(DUAL_STACK)
                : sdkFlag(DUAL_STACK, () -> software.amazon.awssdk.awscore.endpoint.DualstackEnabledProvider.builder().build().isDualstackEnabled());
    }

    private static boolean sdkFlag(String variable, java.util.function.Supplier<java.util.Optional<Boolean>> provider) {
        try {
            return provider.get().orElse(false);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(variable + " (or its AWS profile setting) must be true or false: " + e.getMessage());
        }
    }

    Duration apiReadTimeout() {
        Long ms = positive(API_READ_TIMEOUT_MS, "number of milliseconds");
        return ms == null ? null : Duration.ofMillis(ms);
    }

    URI pushgateway() {
        String v = get(PUSHGATEWAY_URL);
        if (v == null) {
            return null;
        }
        try {
            return URI.create(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PUSHGATEWAY_URL + " must be http(s)://host:port, got '" + v + "'");
        }
    }

    RunSettings.Roles roles() {
        return new RunSettings.Roles(get(AUDITOR_ROLE), get(FINANCE_ROLE));
    }

    /** The embedded database's data directory: the option when given, else CENSUS_DATA_DIR, else the default. */
    Path dataDir(Path option) {
        if (option != null) {
            return option;
        }
        String v = get(DATA_DIR);
        return Path.of(v != null ? v : DatabaseSettings.DEFAULT_DATA_DIR);
    }

    /**
     * The database: CENSUS_DB_URL, CENSUS_DB_USER and CENSUS_DB_PASSWORD (else the
     * {@code spring.datasource.*} system properties), or the embedded one in {@code embeddedDataDir}
     * when no URL is set.
     */
    DatabaseSettings database(Path embeddedDataDir) {
        return new DatabaseSettings(first(DB_URL, "spring.datasource.url"), first(DB_USER, "spring.datasource.username"),
                first(DB_PASSWORD, "spring.datasource.password"), embeddedDataDir);
    }

    private String first(String variable, String property) {
        String v = env.get(variable);
        return v != null && !v.isBlank() ? v : System.getProperty(property);
    }

    /** Where the Parquet datasets go unless an option says: CENSUS_OUTPUT_DIR, else the default. */
    String outputDir(String defaultDir) {
        String v = get(OUTPUT_DIR);
        return v != null ? v : defaultDir;
    }

    /**
     * How an {@code s3://} location is reached: the bucket's region (CENSUS_S3_REGION, else
     * {@code jobRegion}), its addressing (CENSUS_S3_PATH_STYLE), and whether to send checksums only
     * where S3 requires them (a custom endpoint is set, and neither of the SDK's checksum settings).
     */
    S3Target.Options s3(String jobRegion) {
        String pathStyle = get(S3_PATH_STYLE);
        boolean path = false;
        if (pathStyle != null) {
            switch (pathStyle.toLowerCase(Locale.ROOT)) {
                case "true" -> path = true;
                case "false" -> path = false;
                default -> throw new IllegalArgumentException(S3_PATH_STYLE + " must be true or false, got '" + pathStyle + "'");
            }
        }
        String region = get(S3_REGION);
        boolean customEndpoint = S3_ENDPOINTS.stream().anyMatch(v -> get(v) != null);
        boolean checksumsSet = get(S3Target.REQUEST_CHECKSUMS) != null || get(S3Target.RESPONSE_CHECKSUMS) != null;
        return new S3Target.Options(region != null ? region : jobRegion, path, customEndpoint && !checksumsSet);
    }

    /**
     * The files' root {@code location} names (a directory, or {@code s3://} reached as {@link #s3}
     * says for {@code jobRegion}); a location that is not one is refused in one line that starts with
     * {@code setting}, the option or variable the operator wrote it in.
     */
    FileRoot root(String setting, String location, String jobRegion) {
        S3Target.Options options = s3(jobRegion);
        try {
            return FileRoot.parse(location, options);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + " " + e.getMessage());
        }
    }

    /** Days after a period's end before a snapshot makes it final: CENSUS_GRACE_DAYS, else {@code defaultDays}. */
    int graceDays(int defaultDays) {
        String s = get(GRACE_DAYS);
        if (s == null) {
            return defaultDays;
        }
        try {
            int v = Integer.parseInt(s);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(GRACE_DAYS + " must be a whole number of days, got '" + s + "'");
    }
}
