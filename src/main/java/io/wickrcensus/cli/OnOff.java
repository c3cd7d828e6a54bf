package io.wickrcensus.cli;

/** The words of an on/off option, and their one parser. */
final class OnOff {

    static final String ON = "on";
    static final String OFF = "off";

    private OnOff() {
    }

    /** {@code value} of {@code option} as a boolean; anything but on or off is one line naming the option. */
    static boolean parse(String option, String value) {
        if (ON.equals(value)) {
            return true;
        }
        if (OFF.equals(value)) {
            return false;
        }
        throw new IllegalArgumentException(option + " must be " + ON + " or " + OFF + ", got '" + value + "'");
    }
}
