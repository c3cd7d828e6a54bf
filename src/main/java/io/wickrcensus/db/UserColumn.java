package io.wickrcensus.db;

import io.wickrcensus.api.model.ListedUser;
import io.wickrcensus.api.model.User;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one definition of a user's columns: the same names and order in staging
 * ({@code census.stage_user}), the versioned history ({@code census.user_version}) and the
 * {@code users} Parquet dataset, each with its type and where its value comes from in a
 * {@link User}. Adding a Wickr user field means a constant here and a migration.
 */
public enum UserColumn {
    USER_ID("user_id", ColumnType.STRING, User::userId),
    FIRST_NAME("first_name", ColumnType.STRING, User::firstName),
    LAST_NAME("last_name", ColumnType.STRING, User::lastName),
    USERNAME("username", ColumnType.STRING, User::username),
    SECURITY_GROUPS("security_groups", ColumnType.STRING_LIST, User::securityGroups),
    IS_ADMIN("is_admin", ColumnType.BOOLEAN, User::isAdmin),
    SUSPENDED("suspended", ColumnType.BOOLEAN, User::suspended),
    STATUS("status", ColumnType.INT32, User::status),
    OTP_ENABLED("otp_enabled", ColumnType.BOOLEAN, User::otpEnabled),
    SCIM_ID("scim_id", ColumnType.STRING, User::scimId),
    TYPE("type", ColumnType.STRING, User::type),
    CELL("cell", ColumnType.STRING, User::cell),
    COUNTRY_CODE("country_code", ColumnType.STRING, User::countryCode),
    CHALLENGE_FAILURES("challenge_failures", ColumnType.INT32, User::challengeFailures),
    IS_INVITE_EXPIRED("is_invite_expired", ColumnType.BOOLEAN, User::isInviteExpired),
    IS_USER("is_user", ColumnType.BOOLEAN, User::isUser),
    CODE_VALIDATION("code_validation", ColumnType.BOOLEAN, User::codeValidation),
    UNAME("uname", ColumnType.STRING, User::uname);

    /** Every column, the key first. */
    public static final List<UserColumn> ALL = List.of(values());
    /** The columns a version of a user holds besides its key: a change in any makes a new version. */
    public static final List<UserColumn> FIELDS = ALL.subList(1, ALL.size());

    private final String column;
    private final ColumnType type;
    private final Function<User, Object> value;

    UserColumn(String column, ColumnType type, Function<User, Object> value) {
        this.column = column;
        this.type = type;
        this.value = value;
    }

    /** The column's name in the tables and the dataset. */
    public String column() {
        return column;
    }

    public ColumnType type() {
        return type;
    }

    /** This column's value of a user. */
    public Object valueOf(User user) {
        return value.apply(user);
    }

    /** This column's value of a user as a page listed it: a string as its bytes ({@link io.wickrcensus.support.Utf8}). */
    public Object valueOf(ListedUser user) {
        return user.field(ordinal()); // the columns are in the order of User's components (UserColumnTest)
    }

    /** {@code a, b, c}, each name prefixed with {@code alias.} unless the alias is empty. */
    public static String names(List<UserColumn> columns, String alias) {
        String prefix = alias.isEmpty() ? "" : alias + ".";
        return columns.stream().map(c -> prefix + c.column).collect(Collectors.joining(", "));
    }
}
