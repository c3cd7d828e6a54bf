package io.wickrcensus.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.api.model.ListedUser;
import io.wickrcensus.api.model.User;
import io.wickrcensus.support.Utf8;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A user's columns are {@link User}'s components, in their order: a column's value of a user as a
 * page listed it is the field at the column's position, so staging and the users partition take
 * the same values from a {@link ListedUser} as from the {@link User} it stands for.
 */
class UserColumnTest {

    @Test
    void eachColumnIsTheComponentAtItsPosition() {
        RecordComponent[] components = User.class.getRecordComponents();
        assertThat(UserColumn.ALL).hasSize(components.length);
        for (UserColumn c : UserColumn.ALL) {
            assertThat(c.column()).isEqualTo(components[c.ordinal()].getName().replaceAll("([A-Z])", "_$1").toLowerCase());
        }
    }

    @Test
    void aListedUserGivesEachColumnTheValueOfItsUser() throws Exception {
        User user = new User("id-1", "Zoë", "李", "zoe@example.com", List.of("g1", "Łódź"), true, false, User.STATUS_PENDING, false,
                "scim-1", "normal", "+15551234567", "US", 3, true, false, true, "ab057ebb");
        RecordComponent[] components = User.class.getRecordComponents();
        Object[] fields = user.fields();
        for (int i = 0; i < components.length; i++) {
            assertThat(fields[i]).as(components[i].getName()).isEqualTo(components[i].getAccessor().invoke(user));
        }
        assertThat(User.of(fields)).isEqualTo(user);
        ListedUser listed = ListedUser.of(user);
        assertThat(listed.toUser()).isEqualTo(user);
        for (UserColumn c : UserColumn.ALL) {
            Object expected = c.valueOf(user);
            Object value = c.valueOf(listed);
            if (expected instanceof String s) {
                assertThat(value).as(c.column()).isEqualTo(Utf8.of(s));
            } else if (expected instanceof List<?> l) {
                assertThat(value).as(c.column()).isEqualTo(l.stream().map(e -> Utf8.of((String) e)).toList());
            } else {
                assertThat(value).as(c.column()).isEqualTo(expected);
            }
        }
        assertThat(Arrays.asList(listed.userId(), listed.uname(), listed.userIdBytes())).containsExactly("id-1", "ab057ebb", Utf8.of("id-1"));
        assertThat(listed.toString()).doesNotContain("Zoë").doesNotContain("zoe@");
    }
}
