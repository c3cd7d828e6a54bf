package io.wickrcensus.api.model;

import io.wickrcensus.support.Utf8;
import java.util.List;

/**
 * A user as a ListUsers page listed it, for the job's users step: the fields of {@link User}, by
 * their position in that record, each string as the page's own UTF-8 bytes ({@link Utf8}), which
 * the COPY encoder and the Parquet writer take as they are. No {@code String} is built for a user
 * unless asked for ({@link #userId()}, {@link #uname()}). Like {@link User}, it never holds
 * {@code inviteCode}, and {@link #toString()} prints no personal data.
 */
public final class ListedUser {

    /** Each field by its position among {@link User}'s components: a {@link Utf8}, a list of them, a Boolean, an Integer or null. */
    private final Object[] fields;

    /** {@code fields} as above (kept, not copied: the reader hands over an array of its own). */
    public ListedUser(Object[] fields) {
        if (fields.length != FIELDS) {
            throw new IllegalArgumentException(fields.length + " fields for a user of " + FIELDS);
        }
        this.fields = fields;
    }

    private static final int FIELDS = User.class.getRecordComponents().length;
    private static final int USER_ID = 0;
    private static final int UNAME = FIELDS - 1;

    /** The field at {@code position} among {@link User}'s components. */
    public Object field(int position) {
        return fields[position];
    }

    /** The user's id, as its bytes (never null in a listing the service wrote; null if it left it out). */
    public Utf8 userIdBytes() {
        return (Utf8) fields[USER_ID];
    }

    public String userId() {
        return string(fields[USER_ID]);
    }

    public String uname() {
        return string(fields[UNAME]);
    }

    /** The same user as a {@link User}: each string built from its bytes. */
    public User toUser() {
        Object[] v = new Object[FIELDS];
        for (int i = 0; i < FIELDS; i++) {
            Object f = fields[i];
            v[i] = f instanceof Utf8 u ? u.toString() : f instanceof List<?> l ? l.stream().map(ListedUser::string).toList() : f;
        }
        return User.of(v);
    }

    /** A {@link User} read some other way (by Jackson, from a page the byte reader left to it), its strings encoded. */
    public static ListedUser of(User user) {
        Object[] v = user.fields();
        for (int i = 0; i < v.length; i++) {
            Object f = v[i];
            v[i] = f instanceof String s ? Utf8.of(s) : f instanceof List<?> l ? l.stream().map(e -> Utf8.of((String) e)).toList() : f;
        }
        return new ListedUser(v);
    }

    private static String string(Object o) {
        return o == null ? null : o.toString();
    }

    @Override
    public String toString() {
        return "ListedUser[userId=" + userId() + ", personal fields redacted]";
    }
}
