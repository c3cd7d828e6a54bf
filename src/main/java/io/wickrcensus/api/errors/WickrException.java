package io.wickrcensus.api.errors;

import java.util.List;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * An error answer of the Wickr Admin API. It extends the SDK's {@link AwsServiceException} with
 * {@link AwsErrorDetails}, so the SDK's retry strategy classifies it (429 is throttling, 5xx is
 * retryable, other 4xx are not). Subclasses name the contract's error kinds.
 *
 * <p>{@link #getMessage()} is one line an operator can act on: the operation, the network, the
 * error name, the HTTP status, the service's message and the request id. It never carries
 * credentials, signatures or request bodies.
 */
public class WickrException extends AwsServiceException {

    private final String operation;
    private final String networkId;
    private final List<ValidationReason> reasons;

    protected WickrException(Builder b) {
        super(b);
        this.operation = b.operation;
        this.networkId = b.networkId;
        this.reasons = b.reasons == null ? List.of() : List.copyOf(b.reasons);
    }

    public String operation() {
        return operation;
    }

    public String networkId() {
        return networkId;
    }

    /** The error name, such as {@code ForbiddenError}. */
    public String errorName() {
        return awsErrorDetails() == null ? null : awsErrorDetails().errorCode();
    }

    /** The service's own message. */
    public String serviceMessage() {
        return awsErrorDetails() == null ? null : awsErrorDetails().errorMessage();
    }

    /** The field-level reasons of a ValidationError; empty for the other kinds. */
    public List<ValidationReason> reasons() {
        return reasons;
    }

    @Override
    public String getMessage() {
        StringBuilder sb = new StringBuilder();
        sb.append(operation == null ? "Wickr Admin API call" : operation);
        if (networkId != null) {
            sb.append(" on network ").append(networkId);
        }
        sb.append(" failed: ").append(errorName() == null ? "error" : errorName())
                .append(" (HTTP ").append(statusCode()).append(')');
        String msg = serviceMessage();
        if (msg != null && !msg.isBlank()) {
            sb.append(": ").append(msg);
        }
        if (!reasons.isEmpty()) {
            sb.append(" ").append(reasons);
        }
        if (requestId() != null) {
            sb.append(" [request id ").append(requestId()).append(']');
        }
        if (numAttempts() != null && numAttempts() > 1) {
            sb.append(" after ").append(numAttempts()).append(" attempts");
        }
        return sb.toString();
    }

    @Override
    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds the subclass that matches the error name (see {@link #build()}). */
    public static final class Builder extends AwsServiceException.BuilderImpl {
        private String operation;
        private String networkId;
        private List<ValidationReason> reasons;

        Builder() {
        }

        Builder(WickrException e) {
            super(e);
            this.operation = e.operation;
            this.networkId = e.networkId;
            this.reasons = e.reasons;
        }

        public Builder operation(String operation) {
            this.operation = operation;
            return this;
        }

        public Builder networkId(String networkId) {
            this.networkId = networkId;
            return this;
        }

        public Builder reasons(List<ValidationReason> reasons) {
            this.reasons = reasons;
            return this;
        }

        @Override
        public WickrException build() {
            String name = awsErrorDetails == null ? null : awsErrorDetails.errorCode();
            if (name == null) {
                return new WickrException(this);
            }
            return switch (name) {
                case BadRequestException.ERROR_NAME -> new BadRequestException(this);
                case UnauthorizedException.ERROR_NAME -> new UnauthorizedException(this);
                case ForbiddenException.ERROR_NAME -> new ForbiddenException(this);
                case ResourceNotFoundException.ERROR_NAME -> new ResourceNotFoundException(this);
                case ValidationException.ERROR_NAME -> new ValidationException(this);
                case RateLimitException.ERROR_NAME -> new RateLimitException(this);
                case InternalServerException.ERROR_NAME -> new InternalServerException(this);
                default -> new WickrException(this);
            };
        }
    }
}
