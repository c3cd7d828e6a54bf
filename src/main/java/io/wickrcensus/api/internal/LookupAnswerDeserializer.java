package io.wickrcensus.api.internal;

import io.wickrcensus.api.model.BatchLookupUserUnameResponse;
import io.wickrcensus.api.model.BatchLookupUserUnameResponse.Failed;
import io.wickrcensus.api.model.BatchLookupUserUnameResponse.Resolved;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ValueDeserializer;

/**
 * Reads a {@link BatchLookupUserUnameResponse} straight from the parser's tokens, as
 * {@link UserDeserializer} reads users: a 1,000,000-user first night makes 20,000 lookups, and
 * databind's record path (a property looked up by name and a creator per object, 100 objects a
 * call) took 56 us of a lookup's CPU under C1. Each field's usual token (a string, null, an array
 * of objects) is read here; anything else is handed to databind's own deserializer for that
 * field's type, so coercions and errors are databind's, token for token. Fields the records do
 * not hold are skipped. {@code LookupAnswerDeserializerTest} checks it against databind's reading.
 */
public final class LookupAnswerDeserializer extends ValueDeserializer<BatchLookupUserUnameResponse> {

    @Override
    public BatchLookupUserUnameResponse deserialize(JsonParser p, DeserializationContext ctxt) {
        if (!p.isExpectedStartObjectToken()) {
            return (BatchLookupUserUnameResponse) ctxt.handleUnexpectedToken(BatchLookupUserUnameResponse.class, p);
        }
        String message = null;
        List<Resolved> successful = null;
        List<Failed> failed = null;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken t = p.nextToken();
            switch (name) {
                case "message" -> message = UserDeserializer.string(p, t, ctxt);
                case "successful" -> successful = list(p, t, ctxt, Resolved.class);
                case "failed" -> failed = list(p, t, ctxt, Failed.class);
                default -> p.skipChildren();
            }
        }
        return new BatchLookupUserUnameResponse(message, successful, failed);
    }

    /** A list of answers read here, object by object; what is not an array of objects is databind's. */
    @SuppressWarnings("unchecked")
    private static <T> List<T> list(JsonParser p, JsonToken t, DeserializationContext ctxt, Class<T> type) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_ARRAY) {
            JavaType listOf = ctxt.getTypeFactory().constructCollectionType(List.class, type);
            return ctxt.readValue(p, listOf);
        }
        List<T> out = new ArrayList<>(64);
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            out.add(e == JsonToken.START_OBJECT ? (T) answer(p, ctxt, type) : e == JsonToken.VALUE_NULL ? null : ctxt.readValue(p, type));
        }
        return out;
    }

    /** One answer: a {@link Resolved} or a {@link Failed}, whose fields are all strings. */
    private static Object answer(JsonParser p, DeserializationContext ctxt, Class<?> type) {
        String uname = null;
        String username = null;
        String field = null;
        String reason = null;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken t = p.nextToken();
            switch (name) {
                case "uname" -> uname = UserDeserializer.string(p, t, ctxt);
                case "username" -> username = UserDeserializer.string(p, t, ctxt);
                case "field" -> field = UserDeserializer.string(p, t, ctxt);
                case "reason" -> reason = UserDeserializer.string(p, t, ctxt);
                default -> p.skipChildren();
            }
        }
        return type == Resolved.class ? new Resolved(uname, username) : new Failed(uname, field, reason);
    }
}
