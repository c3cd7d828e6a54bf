package io.wickrcensus.job.run;

import io.wickrcensus.support.SettingException;
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

    /** The most users one run re-invites unless told otherwise. */
    public static final int DEFAULT_CAP = 500;
    /** Days a re-invited user is not re-invited again, unless told otherwise. */
    public static final int DEFAULT_COOLDOWN_DAYS = 7;
    /** The words of the modes, as the command line takes them. */
    public static final String OFF_WORD = "off";
    public static final String DRY_RUN_WORD = "dry-run";
    public static final String ON_WORD = "on";

    public static final ReinviteSettings OFF = of(Mode.OFF);

    public ReinviteSettings {
        if (cap < 1) {
            throw new SettingException("reinvite.cap", "must be at least 1, got " + cap);
        }
        if (cooldown.isNegative()) {
            throw new SettingException("reinvite.cooldown", "must not be negative");
        }
    }

    /** {@code mode} for every group, with the default cap and cool-down. */
    public static ReinviteSettings of(Mode mode) {
        return new ReinviteSettings(mode, null, DEFAULT_CAP, Duration.ofDays(DEFAULT_COOLDOWN_DAYS));
    }

    public static Mode parseMode(String s) {
        return switch (s) {
            case OFF_WORD -> Mode.OFF;
            case DRY_RUN_WORD -> Mode.DRY_RUN;
            case ON_WORD -> Mode.ON;
            default -> throw new SettingException("reinvite.mode", "must be " + OFF_WORD + ", " + DRY_RUN_WORD + " or " + ON_WORD
                    + ", got '" + s + "'");
        };
    }
}
