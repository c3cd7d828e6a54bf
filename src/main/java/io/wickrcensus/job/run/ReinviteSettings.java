package io.wickrcensus.job.run;

import java.time.Duration;

/**
 * The opt-in re-invitation step.
 *
 * @param mode     off (the default), dry-run (record the candidates, call nothing) or on
 * @param groupId  only users of this security group, or null for all
 * @param cap      the most users one run may re-invite; above it the step sends nothing and says so
 * @param cooldown a user re-invited within this long before the as-of date is not re-invited again
 */
public record ReinviteSettings(Mode mode, String groupId, int cap, Duration cooldown) {

    public enum Mode { OFF, DRY_RUN, ON }

    public static final ReinviteSettings OFF = new ReinviteSettings(Mode.OFF, null, 500, Duration.ofDays(7));

    public ReinviteSettings {
        if (cap < 1) {
            throw new IllegalArgumentException("--reinvite-cap must be at least 1, got " + cap);
        }
        if (cooldown.isNegative()) {
            throw new IllegalArgumentException("--reinvite-cooldown-days must not be negative");
        }
    }

    public static Mode parseMode(String s) {
        return switch (s) {
            case "off" -> Mode.OFF;
            case "dry-run" -> Mode.DRY_RUN;
            case "on" -> Mode.ON;
            default -> throw new IllegalArgumentException("--reinvite must be off, dry-run or on, got '" + s + "'");
        };
    }
}
