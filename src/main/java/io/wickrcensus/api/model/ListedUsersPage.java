package io.wickrcensus.api.model;

import java.util.List;

/** A ListUsers page with its users as {@link ListedUser}s, for the job's users step. */
public record ListedUsersPage(String nextToken, List<ListedUser> users) {
    public ListedUsersPage {
        users = users == null ? List.of() : users;
    }

    /** A page read as a {@link ListUsersResponse} (by Jackson), its users' strings encoded. */
    public static ListedUsersPage of(ListUsersResponse page) {
        return new ListedUsersPage(page.nextToken(), page.users().stream().map(ListedUser::of).toList());
    }
}
