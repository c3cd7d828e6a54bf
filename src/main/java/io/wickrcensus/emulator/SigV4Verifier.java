package io.wickrcensus.emulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Verifies AWS Signature Version 4 ({@code Authorization} header form) the way the service does:
 * it rebuilds the canonical request from what arrived, using the client's own {@code SignedHeaders}
 * list, derives the signing key from the secret it knows for the access key, and compares the
 * signatures in constant time.
 *
 * <p>Canonical URI: the raw path as received, dot segments and repeated slashes removed (when
 * normalising), each segment URI-encoded again (so {@code %20} on the wire is signed as
 * {@code %2520}, as the SDKs do for every service but S3). Canonical query: every parameter decoded
 * and re-encoded, sorted by name then value. Payload: {@code x-amz-content-sha256} when sent (which
 * must then match the body, or be {@code UNSIGNED-PAYLOAD}), else the body's SHA-256.
 */
public final class SigV4Verifier {

    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    public static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();

    /** A request as it arrived. Header names are matched without regard to case. */
    public record Request(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body) { }

    /**
     * The verdict: {@code status} 0 when the signature holds, else 401 or 403 with a reason;
     * {@code expired} when the request's time was too far from the server's.
     */
    public record Result(int status, String reason, String accessKeyId, boolean expired) {
        public boolean ok() {
            return status == 0;
        }

        static Result ok(String accessKey) {
            return new Result(0, null, accessKey, false);
        }

        static Result unauthorized(String reason) {
            return new Result(401, reason, null, false);
        }

        static Result forbidden(String reason) {
            return new Result(403, reason, null, false);
        }

        static Result expired(String reason) {
            return new Result(403, reason, null, true);
        }
    }

    private final Map<String, String> secretsByAccessKey;
    private final String region;
    private final String service;
    private final Clock clock;
    private final Duration maxSkew;
    private final boolean normalizePath;

    public SigV4Verifier(Map<String, String> secretsByAccessKey, String region, String service, Clock clock,
                         Duration maxSkew, boolean normalizePath) {
        this.secretsByAccessKey = Map.copyOf(secretsByAccessKey);
        this.region = region;
        this.service = service;
        this.clock = clock;
        this.maxSkew = maxSkew;
        this.normalizePath = normalizePath;
    }

    public Result verify(Request req) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        req.headers().forEach((k, v) -> headers.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));

        String auth = first(headers, "authorization");
        if (auth == null || auth.isBlank()) {
            return Result.unauthorized("Missing Authentication Token: the request is not signed");
        }
        if (!auth.startsWith(ALGORITHM + " ")) {
            return Result.forbidden("Only " + ALGORITHM + " signatures are accepted");
        }
        Map<String, String> parts = new TreeMap<>();
        for (String p : auth.substring(ALGORITHM.length()).split(",")) {
            int eq = p.indexOf('=');
            if (eq > 0) {
                parts.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
            }
        }
        String credential = parts.get("Credential");
        String signedHeadersList = parts.get("SignedHeaders");
        String signature = parts.get("Signature");
        if (credential == null || signedHeadersList == null || signature == null) {
            return Result.forbidden("Authorization header requires Credential, SignedHeaders and Signature");
        }
        String[] scope = credential.split("/");
        if (scope.length != 5) {
            return Result.forbidden("Credential must be AccessKeyId/date/region/service/aws4_request");
        }
        String accessKey = scope[0];
        String secret = secretsByAccessKey.get(accessKey);
        if (secret == null) {
            return Result.forbidden("The security token included in the request is invalid (unknown access key)");
        }
        if (!scope[2].equals(region)) {
            return Result.forbidden("Credential should be scoped to a valid region: expected " + region + ", got " + scope[2]);
        }
        if (!scope[3].equals(service)) {
            return Result.forbidden("Credential should be scoped to the correct service: expected " + service + ", got " + scope[3]);
        }
        if (!scope[4].equals("aws4_request")) {
            return Result.forbidden("Credential scope must end with aws4_request");
        }

        String amzDate = first(headers, "x-amz-date");
        if (amzDate == null) {
            return Result.forbidden("Missing X-Amz-Date header");
        }
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(amzDate.trim()));
        } catch (DateTimeParseException e) {
            return Result.forbidden("X-Amz-Date is not in the form YYYYMMDD'T'HHMMSS'Z'");
        }
        if (!amzDate.trim().startsWith(scope[1])) {
            return Result.forbidden("Credential date " + scope[1] + " does not match X-Amz-Date");
        }
        Instant now = clock.instant();
        if (Duration.between(signedAt, now).abs().compareTo(maxSkew) > 0) {
            return Result.expired("Signature expired: request time " + amzDate.trim() + " is more than "
                    + maxSkew.toMinutes() + " minutes from the server time " + AMZ_DATE.format(now));
        }

        List<String> signedHeaders = List.of(signedHeadersList.split(";"));
        if (!signedHeaders.contains("host")) {
            return Result.forbidden("The host header must be signed");
        }
        StringBuilder canonicalHeaders = new StringBuilder();
        for (String name : signedHeaders) {
            List<String> values = headers.get(name);
            if (values == null) {
                return Result.forbidden("Signed header '" + name + "' is missing from the request");
            }
            List<String> trimmed = new ArrayList<>(values.size());
            for (String v : values) {
                trimmed.add(v.trim().replaceAll("\\s+", " "));
            }
            canonicalHeaders.append(name.toLowerCase(Locale.ROOT)).append(':').append(String.join(",", trimmed)).append('\n');
        }

        String bodyHash = hex(sha256(req.body() == null ? new byte[0] : req.body()));
        String payloadHash = bodyHash;
        String declared = first(headers, "x-amz-content-sha256");
        if (declared != null) {
            declared = declared.trim();
            if (!declared.equals(UNSIGNED_PAYLOAD) && !declared.equalsIgnoreCase(bodyHash)) {
                return Result.forbidden("The body does not match x-amz-content-sha256: it was changed after signing");
            }
            payloadHash = declared;
        }

        String canonicalRequest = req.method().toUpperCase(Locale.ROOT) + '\n'
                + canonicalUri(req.rawPath(), normalizePath) + '\n'
                + canonicalQuery(req.rawQuery()) + '\n'
                + canonicalHeaders + '\n'
                + signedHeadersList + '\n'
                + payloadHash;
        String scopeString = scope[1] + '/' + scope[2] + '/' + scope[3] + "/aws4_request";
        String stringToSign = ALGORITHM + '\n' + amzDate.trim() + '\n' + scopeString + '\n'
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), scope[1]);
        key = hmac(key, scope[2]);
        key = hmac(key, scope[3]);
        key = hmac(key, "aws4_request");
        byte[] expected = hmac(key, stringToSign);
        byte[] given;
        try {
            given = HEX.parseHex(signature.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Result.forbidden("Signature is not hexadecimal");
        }
        if (!MessageDigest.isEqual(expected, given)) {
            return Result.forbidden("The request signature we calculated does not match the signature you provided. "
                    + "Check your AWS Secret Access Key and signing method.");
        }
        return Result.ok(accessKey);
    }

    /** The canonical URI of a raw (as received) path. */
    static String canonicalUri(String rawPath, boolean normalize) {
        String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        if (normalize) {
            path = normalize(path);
        }
        StringBuilder out = new StringBuilder();
        String[] segments = path.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                out.append('/');
            }
            out.append(uriEncode(segments[i]));
        }
        return out.length() == 0 ? "/" : out.toString();
    }

    private static String normalize(String path) {
        boolean trailingSlash = path.endsWith("/") || path.endsWith("/.") || path.endsWith("/..");
        List<String> kept = new ArrayList<>();
        for (String seg : path.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                if (!kept.isEmpty()) {
                    kept.remove(kept.size() - 1);
                }
                continue;
            }
            kept.add(seg);
        }
        String joined = "/" + String.join("/", kept);
        if (trailingSlash && !joined.endsWith("/")) {
            joined += "/";
        }
        return joined;
    }

    /** The canonical query string of a raw query: parameters decoded, re-encoded, sorted. */
    static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        for (String p : rawQuery.split("&")) {
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String k = eq < 0 ? p : p.substring(0, eq);
            String v = eq < 0 ? "" : p.substring(eq + 1);
            pairs.add(new String[] {uriEncode(percentDecode(k)), uriEncode(percentDecode(v))});
        }
        pairs.sort((a, b) -> {
            int c = a[0].compareTo(b[0]);
            return c != 0 ? c : a[1].compareTo(b[1]);
        });
        StringBuilder sb = new StringBuilder();
        for (String[] kv : pairs) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(kv[0]).append('=').append(kv[1]);
        }
        return sb.toString();
    }

    /** RFC 3986 encoding: unreserved characters kept, every other UTF-8 byte as %XX. */
    static String uriEncode(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    /** Decodes %XX escapes (not '+': SigV4 query strings encode a space as %20). */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        byte[] src = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[src.length];
        int n = 0;
        for (int i = 0; i < src.length; i++) {
            if (src[i] == '%' && i + 2 < src.length
                    && Character.digit(src[i + 1], 16) >= 0 && Character.digit(src[i + 2], 16) >= 0) {
                out[n++] = (byte) ((Character.digit(src[i + 1], 16) << 4) | Character.digit(src[i + 2], 16));
                i += 2;
            } else {
                out[n++] = src[i];
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static byte[] sha256(byte[] data) {
        return Digests.sha256(data);
    }

    private static byte[] hmac(byte[] key, String data) {
        return Digests.hmacSha256(key, data.getBytes(StandardCharsets.UTF_8));
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }
}
