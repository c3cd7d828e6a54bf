package io.wickrcensus.api.internal;

import io.wickrcensus.api.Json;
import io.wickrcensus.api.errors.ValidationReason;
import io.wickrcensus.api.errors.WickrException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.SdkHttpResponse;
import tools.jackson.databind.JsonNode;

/**
 * Turns a restJson1 error answer into a typed {@link WickrException}: the name from the
 * {@code X-Amzn-ErrorType} header (cut at the first ':' and after the last '#'), else the body's
 * {@code __type} or {@code code}, else the HTTP status; the message from
 * {@code x-amzn-error-message}, else the body's {@code message} or {@code Message}; the request id
 * from {@code x-amzn-RequestId}.
 */
public final class ErrorResponseParser {

    private ErrorResponseParser() {
    }

    public static WickrException parse(String operation, String networkId, SdkHttpResponse response, byte[] body) {
        JsonNode json = readJson(body);
        String name = response.firstMatchingHeader("X-Amzn-ErrorType").map(ErrorResponseParser::cleanName)
                .or(() -> text(json, "__type").map(ErrorResponseParser::cleanName))
                .or(() -> text(json, "code").map(ErrorResponseParser::cleanName))
                .orElseGet(() -> nameForStatus(response.statusCode()));
        String message = response.firstMatchingHeader("x-amzn-error-message")
                .or(() -> text(json, "message"))
                .or(() -> text(json, "Message"))
                .orElse(json == null && body.length > 0 ? "(error body was not JSON)" : null);
        String requestId = response.firstMatchingHeader("x-amzn-RequestId")
                .or(() -> response.firstMatchingHeader("x-amz-request-id"))
                .orElse(null);
        List<ValidationReason> reasons = new ArrayList<>();
        if (json != null && json.get("reasons") != null && json.get("reasons").isArray()) {
            for (JsonNode r : json.get("reasons")) {
                reasons.add(new ValidationReason(r.path("field").asString(null), r.path("reason").asString(null)));
            }
        }
        WickrException.Builder b = WickrException.builder().operation(operation).networkId(networkId).reasons(reasons);
        b.awsErrorDetails(AwsErrorDetails.builder()
                .errorCode(name)
                .errorMessage(message)
                .serviceName("Wickr")
                .sdkHttpResponse(response)
                .rawResponse(SdkBytes.fromByteArrayUnsafe(body))
                .build());
        b.statusCode(response.statusCode());
        b.requestId(requestId);
        b.message(message);
        return b.build();
    }

    static String cleanName(String raw) {
        String n = raw;
        int colon = n.indexOf(':');
        if (colon >= 0) {
            n = n.substring(0, colon);
        }
        int hash = n.lastIndexOf('#');
        if (hash >= 0) {
            n = n.substring(hash + 1);
        }
        return n.trim();
    }

    static String nameForStatus(int status) {
        return switch (status) {
            case 400 -> "BadRequestError";
            case 401 -> "UnauthorizedError";
            case 403 -> "ForbiddenError";
            case 404 -> "ResourceNotFoundError";
            case 422 -> "ValidationError";
            case 429 -> "RateLimitError";
            case 500 -> "InternalServerError";
            default -> "HttpError" + status;
        };
    }

    private static JsonNode readJson(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            return n != null && n.isObject() ? n : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Optional<String> text(JsonNode json, String field) {
        if (json == null) {
            return Optional.empty();
        }
        JsonNode v = json.get(field);
        return v != null && v.isString() && !v.asString().isBlank() ? Optional.of(v.asString()) : Optional.empty();
    }
}
