package io.wickrcensus.emulator;

import io.wickrcensus.api.errors.ValidationReason;
import java.util.List;

/** An error answer in the contract's shape: a name, a status, a message and, for 422, reasons. */
final class ApiError extends RuntimeException {

    final int status;
    final String name;
    final List<ValidationReason> reasons;

    ApiError(int status, String name, String message, List<ValidationReason> reasons) {
        super(message, null, false, false);
        this.status = status;
        this.name = name;
        this.reasons = reasons == null ? List.of() : reasons;
    }

    static ApiError validation(String field, String reason) {
        return new ApiError(422, "ValidationError", "Invalid request: " + field + " " + reason,
                List.of(new ValidationReason(field, reason)));
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, "BadRequestError", message, null);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, "ResourceNotFoundError", message, null);
    }
}
