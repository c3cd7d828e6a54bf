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
 * skipped. {@code UserDeserializerTest} checks that every component of the record is read.
 */
public final class UserDeserializer extends ValueDeserializer<User> {

    @Override
    public User deserialize(JsonParser p, DeserializationContext ctxt) {
        if (!p.isExpectedStartObjectToken()) {
            return (User) ctxt.handleUnexpectedToken(User.class, p);
        }
        String userId = null;
        String firstName = null;
        String lastName = null;
        String username = null;
        List<String> securityGroups = null;
        Boolean isAdmin = null;
        Boolean suspended = null;
        Integer status = null;
        Boolean otpEnabled = null;
        String scimId = null;
        String type = null;
        String cell = null;
        String countryCode = null;
        Integer challengeFailures = null;
        Boolean isInviteExpired = null;
        Boolean isUser = null;
        Boolean codeValidation = null;
        String uname = null;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken t = p.nextToken();
            switch (name) {
                case "userId" -> userId = string(p, t, ctxt);
                case "firstName" -> firstName = string(p, t, ctxt);
                case "lastName" -> lastName = string(p, t, ctxt);
                case "username" -> username = string(p, t, ctxt);
                case "securityGroups" -> securityGroups = strings(p, t, ctxt);
                case "isAdmin" -> isAdmin = bool(p, t, ctxt);
                case "suspended" -> suspended = bool(p, t, ctxt);
                case "status" -> status = integer(p, t, ctxt);
                case "otpEnabled" -> otpEnabled = bool(p, t, ctxt);
                case "scimId" -> scimId = string(p, t, ctxt);
                case "type" -> type = string(p, t, ctxt);
                case "cell" -> cell = string(p, t, ctxt);
                case "countryCode" -> countryCode = string(p, t, ctxt);
                case "challengeFailures" -> challengeFailures = integer(p, t, ctxt);
                case "isInviteExpired" -> isInviteExpired = bool(p, t, ctxt);
                case "isUser" -> isUser = bool(p, t, ctxt);
                case "codeValidation" -> codeValidation = bool(p, t, ctxt);
                case "uname" -> uname = string(p, t, ctxt);
                default -> p.skipChildren(); // inviteCode, and fields the contract may add
            }
        }
        return new User(userId, firstName, lastName, username, securityGroups, isAdmin, suspended, status, otpEnabled, scimId,
                type, cell, countryCode, challengeFailures, isInviteExpired, isUser, codeValidation, uname);
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
