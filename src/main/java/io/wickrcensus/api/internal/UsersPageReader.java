package io.wickrcensus.api.internal;

import io.wickrcensus.api.model.ListUsersResponse;
import io.wickrcensus.api.model.ListedUser;
import io.wickrcensus.api.model.ListedUsersPage;
import io.wickrcensus.api.model.User;
import io.wickrcensus.support.Bytes;
import io.wickrcensus.support.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * A ListUsers page read straight from its bytes, for the pages as the service writes them: the
 * paging thread's largest cost was Jackson's (about 4.3 microseconds a user in C1-compiled code,
 * its names matched and its strings built through a char buffer); this reads a user in about a
 * third of that. It reads only JSON it can read exactly as {@link UserDeserializer} does: a string
 * with an escape, a number that is not a plain {@code int}, a value of another type than the field's,
 * or anything that is not well-formed makes {@link #read} answer null, and the caller reads the page
 * with Jackson instead, with its coercions and its errors. Fields it does not know (and
 * {@code inviteCode}, a credential) are checked as JSON and skipped, as Jackson skips them.
 */
public final class UsersPageReader {

    /** Thrown to give the page to Jackson; without a stack trace, as it is control flow. */
    private static final class NotPlain extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotPlain() {
            super(null, null, false, false);
        }
    }

    private static final NotPlain NOT_PLAIN = new NotPlain();

    private static final byte[][] USER_FIELDS = names(UserFields.NAMES);
    private static final byte[][] PAGE_FIELDS = names(List.of("nextToken", "users"));
    private static final int MAX_DEPTH = 64;
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final long QUOTES = Bytes.repeated('"');
    private static final long BACKSLASHES = Bytes.repeated('\\');

    private final byte[] b;
    /** Users as {@link ListedUser}s (their strings the body's bytes), else as {@link User}s. */
    private final boolean listed;
    private String nextToken;
    private int i;
    /** The user field expected next: the service writes them in one order, so a name is usually matched at the first try. */
    private int hint;

    private UsersPageReader(byte[] body, boolean listed) {
        this.b = body;
        this.listed = listed;
    }

    /** The page, or null when Jackson must read it (see the class comment). */
    @SuppressWarnings("unchecked")
    public static ListUsersResponse read(byte[] body) {
        return read(body, false, (token, users) -> new ListUsersResponse(token, (List<User>) users));
    }

    /**
     * The page with its users as {@link ListedUser}s, their strings the body's own bytes (the body
     * must not change after), or null when Jackson must read it, as for {@link #read}.
     */
    @SuppressWarnings("unchecked")
    public static ListedUsersPage readListed(byte[] body) {
        return read(body, true, (token, users) -> new ListedUsersPage(token, (List<ListedUser>) users));
    }

    private static <P> P read(byte[] body, boolean listed, BiFunction<String, List<?>, P> page) {
        try {
            UsersPageReader r = new UsersPageReader(body, listed);
            List<Object> users = r.page();
            return page.apply(r.nextToken, users);
        } catch (RuntimeException e) {
            // not plain, an index past the end (a truncated body), or a user the record refuses: Jackson reports them
            return null;
        }
    }

    /** The page's users (null if it has none), its {@link #nextToken} kept. */
    private List<Object> page() {
        List<Object> users = null;
        ws();
        expect('{');
        ws();
        if (b[i] != '}') {
            do {
                switch (name(PAGE_FIELDS, 0)) {
                    case 0 -> nextToken = string();
                    case 1 -> users = array(this::user, 100);
                    default -> skipValue(0);
                }
            } while (more());
        }
        expect('}');
        ws();
        if (i != b.length) {
            throw NOT_PLAIN;
        }
        return users;
    }

    /** An array of {@code element}s, or null. */
    private <T> List<T> array(Supplier<T> element, int expected) {
        if (b[i] != '[') {
            nullOrElse();
            return null;
        }
        i++;
        List<T> out = new ArrayList<>(expected);
        ws();
        if (b[i] == ']') {
            i++;
            return out;
        }
        do {
            out.add(element.get());
        } while (more());
        expect(']');
        return out;
    }

    /** After a member or an element: passes over a comma and what follows it (true), or says the object or array ends. */
    private boolean more() {
        ws();
        if (b[i] != ',') {
            return false;
        }
        i++;
        ws();
        return true;
    }

    /** A {@link User}, or a {@link ListedUser} when {@link #listed}. */
    private Object user() {
        expect('{');
        Object[] fields = new Object[USER_FIELDS.length];
        ws();
        if (b[i] != '}') {
            do {
                int field = name(USER_FIELDS, hint);
                if (field < 0) {
                    skipValue(0); // inviteCode, and fields the contract may add
                } else {
                    hint = field + 1 == USER_FIELDS.length ? 0 : field + 1;
                    fields[field] = switch (UserFields.kind(field)) {
                        case STRING -> text();
                        case STRINGS -> array(this::element, 4);
                        case BOOLEAN -> bool();
                        case INTEGER -> integer();
                    }; // a field given twice keeps the last value, as JSON's readers do
                }
            } while (more());
        }
        expect('}');
        return listed ? new ListedUser(fields) : User.of(fields);
    }

    /** A string value of a user: a String, or its bytes when {@link #listed}; or null. */
    private Object text() {
        return listed ? bytes() : string();
    }

    /** An element of a list of strings, never null (a list holding a null is the record's to refuse, through Jackson). */
    private Object element() {
        Object e = text();
        if (e == null) {
            throw NOT_PLAIN;
        }
        return e;
    }

    /**
     * A member's name and its colon: the index of the name among {@code names} (tried from
     * {@code hint} on), or -1 for another name.
     */
    private int name(byte[][] names, int hint) {
        expect('"');
        int start = i;
        int end = plainStringEnd();
        int found = -1;
        for (int k = 0; k < names.length && found < 0; k++) {
            int n = (hint + k) % names.length;
            if (Arrays.equals(b, start, end, names[n], 0, names[n].length)) {
                found = n;
            }
        }
        i = end + 1;
        ws();
        expect(':');
        ws();
        return found;
    }

    /**
     * The end (the closing quote's index) of a string that starts at {@code i} and holds no escape
     * and no control character; {@code i} is left where it was.
     */
    private int plainStringEnd() {
        byte[] b = this.b;
        boolean ascii = true;
        for (int k = i; ; k++) {
            byte c = b[k];
            if (c == '"') {
                if (!ascii) {
                    utf8(i, k);
                }
                return k;
            }
            if (c < 0) {
                ascii = false;
            } else if (c == '\\' || c < 0x20) {
                throw NOT_PLAIN;
            }
        }
    }

    /** The UTF-8 bytes from {@code start} to {@code end} as a string; malformed ones are Jackson's to refuse. */
    private String utf8(int start, int end) {
        String s = new String(b, start, end - start, StandardCharsets.UTF_8);
        if (s.indexOf('\uFFFD') >= 0) {
            throw NOT_PLAIN; // malformed UTF-8 (or a replacement character sent as such): Jackson tells them apart
        }
        return s;
    }

    private String string() {
        int start = i + 1;
        int end = stringEnd();
        if (end < 0) {
            return null;
        }
        return ascii ? new String(b, start, end - start, StandardCharsets.ISO_8859_1) : utf8(start, end);
    }

    /** A string as the body's bytes, checked as {@link #string} checks it (a string beyond ASCII decoded once), or null. */
    private Utf8 bytes() {
        int start = i + 1;
        int end = stringEnd();
        if (end < 0) {
            return null;
        }
        if (!ascii) {
            utf8(start, end); // malformed UTF-8 is Jackson's to refuse
        }
        return new Utf8(b, start, end - start);
    }

    /** Whether the string {@link #stringEnd} passed over was ASCII. */
    private boolean ascii;

    /**
     * Passes over a string value with no escape and no control character (anything else is not
     * plain), or a {@code null} (then -1): the index of its closing quote, {@link #ascii} set.
     */
    private int stringEnd() {
        byte[] b = this.b;
        if (b[i] != '"') {
            nullOrElse();
            return -1;
        }
        int start = ++i;
        int k = start;
        // eight bytes a step while none is a quote, a backslash, a control character or beyond ASCII
        for (int last = b.length - 8; k <= last; k += 8) {
            long w = Bytes.word(b, k);
            if ((Bytes.any(w, QUOTES) | Bytes.any(w, BACKSLASHES) | Bytes.anyBelow(w, 0x20) | Bytes.anyHigh(w)) != 0) {
                break;
            }
        }
        boolean ascii = true;
        for (; ; k++) {
            byte c = b[k];
            if (c == '"') {
                break;
            }
            if (c < 0x20 || c == '\\') {
                if (c >= 0) {
                    throw NOT_PLAIN; // an escape or a control character: Jackson's to read or refuse
                }
                ascii = false;
            }
        }
        i = k + 1;
        this.ascii = ascii;
        return k;
    }

    /** Passes over a {@code null}; anything else is not the type the field has. */
    private void nullOrElse() {
        if (!literal(NULL)) {
            throw NOT_PLAIN;
        }
    }

    private Boolean bool() {
        byte c = b[i];
        if (c == 't' && literal(TRUE)) {
            return Boolean.TRUE;
        }
        if (c == 'f' && literal(FALSE)) {
            return Boolean.FALSE;
        }
        nullOrElse();
        return null;
    }

    /** A plain {@code int} (an optional minus and at most ten digits, without leading zeros), or null. */
    private Integer integer() {
        if (b[i] == 'n') {
            nullOrElse();
            return null;
        }
        boolean negative = b[i] == '-';
        int k = negative ? i + 1 : i;
        int start = k;
        long v = 0;
        while (b[k] >= '0' && b[k] <= '9' && k - start < 11) {
            v = v * 10 + (b[k] - '0');
            k++;
        }
        int digits = k - start;
        if (digits == 0 || digits > 10 || (digits > 1 && b[start] == '0') || b[k] == '.' || b[k] == 'e' || b[k] == 'E') {
            throw NOT_PLAIN;
        }
        v = negative ? -v : v;
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE || (negative && v == 0)) {
            throw NOT_PLAIN; // beyond an int, or -0: Jackson's
        }
        i = k;
        return (int) v;
    }

    /** Checks and passes over any JSON value, as Jackson's {@code skipChildren} would read it. */
    private void skipValue(int depth) {
        if (depth > MAX_DEPTH) {
            throw NOT_PLAIN;
        }
        byte c = b[i];
        switch (c) {
            case '"' -> skipString();
            case '{' -> {
                i++;
                ws();
                if (b[i] != '}') {
                    do {
                        skipString();
                        ws();
                        expect(':');
                        ws();
                        skipValue(depth + 1);
                    } while (more());
                }
                expect('}');
            }
            case '[' -> {
                i++;
                ws();
                if (b[i] != ']') {
                    do {
                        skipValue(depth + 1);
                    } while (more());
                }
                expect(']');
            }
            case 't' -> require(literal(TRUE));
            case 'f' -> require(literal(FALSE));
            case 'n' -> require(literal(NULL));
            default -> skipNumber();
        }
    }

    /** A string, its escapes checked ({@code \"}, {@code \\}, {@code \/}, {@code \b}, {@code \f}, {@code \n}, {@code \r}, {@code \t}, and a backslash-u with four hex digits). */
    private void skipString() {
        expect('"');
        int start = i;
        boolean ascii = true;
        while (true) {
            byte c = b[i++];
            if (c == '"') {
                break;
            }
            if (c < 0) {
                ascii = false;
            } else if (c < 0x20) {
                throw NOT_PLAIN;
            } else if (c == '\\') {
                byte e = b[i++];
                switch (e) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                    }
                    case 'u' -> {
                        for (int k = 0; k < 4; k++) {
                            require(Character.digit(b[i++], 16) >= 0);
                        }
                    }
                    default -> throw NOT_PLAIN;
                }
            }
        }
        if (!ascii) {
            utf8(start, i - 1); // malformed UTF-8 Jackson refuses even in a value it skips
        }
    }

    /** A number as JSON writes it: {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}. */
    private void skipNumber() {
        if (b[i] == '-') {
            i++;
        }
        if (b[i] == '0') {
            i++;
        } else {
            require(digits() > 0);
        }
        if (b[i] == '.') {
            i++;
            require(digits() > 0);
        }
        if (b[i] == 'e' || b[i] == 'E') {
            i++;
            if (b[i] == '+' || b[i] == '-') {
                i++;
            }
            require(digits() > 0);
        }
    }

    private int digits() {
        int start = i;
        while (b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        return i - start;
    }

    /**
     * Passes over {@code word} if it is next. A word run on into a longer one ({@code truex}) is
     * then refused where a comma or a closing bracket must follow.
     */
    private boolean literal(byte[] word) {
        int n = word.length;
        if (i + n > b.length) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if (b[i + k] != word[k]) {
                return false;
            }
        }
        i += n;
        return true;
    }

    private void expect(char c) {
        if (b[i] != c) {
            throw NOT_PLAIN;
        }
        i++;
    }

    private static void require(boolean ok) {
        if (!ok) {
            throw NOT_PLAIN;
        }
    }

    /** JSON's whitespace. */
    private void ws() {
        while (i < b.length) {
            byte c = b[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            i++;
        }
    }

    private static byte[][] names(List<String> names) {
        return names.stream().map(n -> n.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
    }
}
