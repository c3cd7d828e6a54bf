package io.wickrcensus.api.internal;

import io.wickrcensus.api.model.User;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ValueDeserializer;

/**
 * Reads a {@link User} straight from the parser's tokens: ListUsers pages are the bulk of what the
 * job parses (a quarter of its CPU at 1,000,000 users), and databind's record path looks each
 * property up by name and builds the record through its creator. Each field's usual token (a
 * string, a boolean, a small integer, null) is read here; anything else is handed to databind's
 * own deserializer for that field's type, so coercions and errors are databind's, token for token.
 * Fields the record does not hold, {@code inviteCode} among them (a credential, never kept), are
 * skipped. {@code UserDeserializerTest} checks that every component of the record is read. A
 * ListUsers page is first offered to {@link UsersPageReader}, which reads the plain pages the service
 * writes from their bytes; this reads what it leaves (and users anywhere else).
 */
public final class UserDeserializer extends ValueDeserializer<User> {

    @Override
    public User deserialize(JsonParser p, DeserializationContext ctxt) {
        if (!p.isExpectedStartObjectToken()) {
            return (User) ctxt.handleUnexpectedToken(User.class, p);
        }
        UserFields user = new UserFields();
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken t = p.nextToken();
            int field = UserFields.index(name);
            if (field < 0) {
                p.skipChildren(); // inviteCode, and fields the contract may add
                continue;
            }
            user.set(field, switch (UserFields.kind(field)) {
                case STRING -> string(p, t, ctxt);
                case STRINGS -> strings(p, t, ctxt);
                case BOOLEAN -> bool(p, t, ctxt);
                case INTEGER -> integer(p, t, ctxt);
            });
        }
        return user.user();
    }

    /** A string field: its usual token read here, anything else databind's (also {@link LookupAnswerDeserializer}'s). */
    static String string(JsonParser p, JsonToken t, DeserializationContext ctxt) {
        return t == JsonToken.VALUE_STRING ? p.getString() : t == JsonToken.VALUE_NULL ? null : ctxt.readValue(p, String.class);
    }

    private static Boolean bool(JsonParser p, JsonToken t, DeserializationContext ctxt) {
        return t == JsonToken.VALUE_TRUE ? Boolean.TRUE
                : t == JsonToken.VALUE_FALSE ? Boolean.FALSE
                : t == JsonToken.VALUE_NULL ? null : ctxt.readValue(p, Boolean.class);
    }

    private static Integer integer(JsonParser p, JsonToken t, DeserializationContext ctxt) {
        if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
            return p.getIntValue();
        }
        return t == JsonToken.VALUE_NULL ? null : ctxt.readValue(p, Integer.class);
    }

    /**
     * A list of strings read here, element by element: databind's collection path (a type built and
     * a contextual deserializer found on every call) was a quarter of the paging thread's CPU. An
     * element that is not a string or null is databind's, as a string; a value that is not an array
     * is databind's, as a list.
     */
    private static List<String> strings(JsonParser p, JsonToken t, DeserializationContext ctxt) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_ARRAY) {
            JavaType listOfStrings = ctxt.getTypeFactory().constructCollectionType(List.class, String.class);
            return ctxt.readValue(p, listOfStrings);
        }
        List<String> out = new ArrayList<>(4);
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            out.add(string(p, e, ctxt));
        }
        return out;
    }
}
