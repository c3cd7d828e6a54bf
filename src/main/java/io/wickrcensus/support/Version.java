package io.wickrcensus.support;

/** The software's version, from the jar's manifest ({@code Implementation-Version}). */
public final class Version {

    private Version() {
    }

    /** The version, or "development build" when the classes do not run from the built jar. */
    public static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }
}
