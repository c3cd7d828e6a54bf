package io.wickrcensus.api;

import io.wickrcensus.api.internal.UserDeserializer;
import io.wickrcensus.api.model.User;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON mapper of the client: tolerant of fields it does not know, immutable, thread-safe.
 * Users are read by {@link UserDeserializer}, straight from the tokens.
 */
public final class Json {

    public static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .addModule(new SimpleModule("users").addDeserializer(User.class, new UserDeserializer()))
            .build();

    private Json() {
    }
}
