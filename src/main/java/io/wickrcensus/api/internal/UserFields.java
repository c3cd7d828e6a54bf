package io.wickrcensus.api.internal;

import io.wickrcensus.api.model.User;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link User}'s fields as both readers of users fill them ({@link UserDeserializer} from
 * Jackson's tokens, {@link UsersPageReader} from a page's bytes): each by its position in the
 * record, with the JSON type it usually comes as (both taken from the record's components, so a
 * field added to it is read by both). {@code inviteCode} is not among them.
 */
final class UserFields {

    /** The JSON types of the fields. */
    enum Kind { STRING, STRINGS, BOOLEAN, INTEGER }

    private static final RecordComponent[] COMPONENTS = User.class.getRecordComponents();
    /** The fields' names, in the record's order. */
    static final List<String> NAMES = Arrays.stream(COMPONENTS).map(RecordComponent::getName).toList();
    private static final Kind[] KINDS = Arrays.stream(COMPONENTS).map(c -> kind(c.getType())).toArray(Kind[]::new);
    private static final Map<String, Integer> INDEX = new HashMap<>();

    static {
        for (int i = 0; i < NAMES.size(); i++) {
            INDEX.put(NAMES.get(i), i);
        }
    }

    private static Kind kind(Class<?> type) {
        if (type == String.class) {
            return Kind.STRING;
        }
        if (type == List.class) {
            return Kind.STRINGS;
        }
        if (type == Boolean.class) {
            return Kind.BOOLEAN;
        }
        if (type == Integer.class) {
            return Kind.INTEGER;
        }
        throw new IllegalStateException("User has a component of a type its readers do not read: " + type);
    }

    private final Object[] values = new Object[NAMES.size()];

    /** The position of the field {@code name}, or -1 for a name the record does not hold. */
    static int index(String name) {
        Integer i = INDEX.get(name);
        return i == null ? -1 : i;
    }

    static Kind kind(int field) {
        return KINDS[field];
    }

    /** Sets a field, by its position; a field given twice keeps the last value, as JSON's readers do. */
    void set(int field, Object value) {
        values[field] = value;
    }

    User user() {
        return User.of(values);
    }
}
