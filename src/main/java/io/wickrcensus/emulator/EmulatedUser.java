package io.wickrcensus.emulator;

import java.util.List;

/**
 * A user as the emulator serves it: every field of the contract, {@code inviteCode} included (the
 * real service sends it for pending users, and the job must prove it never keeps it). {@code index}
 * is the emulator's own position of the user, not part of the contract.
 */
record EmulatedUser(
        int index,
        String userId,
        String firstName,
        String lastName,
        String username,
        List<String> securityGroups,
        boolean isAdmin,
        boolean suspended,
        int status,
        boolean otpEnabled,
        String scimId,
        String type,
        String cell,
        String countryCode,
        int challengeFailures,
        boolean isInviteExpired,
        boolean isUser,
        String inviteCode,
        boolean codeValidation,
        String uname) {

    @Override
    public String toString() {
        return "EmulatedUser[userId=" + userId + "]";
    }
}
