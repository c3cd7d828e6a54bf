package io.wickrcensus.api.errors;

/** A request that breaks the contract's limits, refused by the client before anything is sent. */
public final class InvalidRequestException extends IllegalArgumentException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
