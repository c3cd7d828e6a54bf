package io.wickrcensus.api;

import io.wickrcensus.api.internal.LookupAnswerDeserializer;
import io.wickrcensus.api.internal.UserDeserializer;
import io.wickrcensus.api.model.BatchLookupUserUnameResponse;
import io.wickrcensus.api.model.User;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON mapper of the client: tolerant of fields it does not know, immutable, thread-safe.
 * Users and uname lookups' answers, the bulk of what it reads, are read straight from the tokens
 * ({@link UserDeserializer}, {@link LookupAnswerDeserializer}); a plain ListUsers page does not
 * come here at all ({@link io.wickrcensus.api.internal.UsersPageReader}).
 */
public final class Json {

    public static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .addModule(new SimpleModule("users").addDeserializer(User.class, new UserDeserializer())
                    .addDeserializer(BatchLookupUserUnameResponse.class, new LookupAnswerDeserializer()))
            .build();

    private Json() {
    }
}
