package io.wickrcensus.support;

/**
 * A setting's value that cannot be used, said in the words of the setting ({@code maxAttempts},
 * {@code reinvite.cap}): the settings know nothing of where a value came from. The command line
 * says it in the words of the option or environment variable the operator wrote
 * ({@code --max-attempts}, {@code CENSUS_API_READ_TIMEOUT_MS}).
 */
public class SettingException extends IllegalArgumentException {

    private final String setting;
    private final String problem;

    /** {@code problem} follows the setting's name: "must be between 1 and 20, got 30". */
    public SettingException(String setting, String problem) {
        super(setting + " " + problem);
        this.setting = setting;
        this.problem = problem;
    }

    public String setting() {
        return setting;
    }

    /** The same line, the setting called {@code name}. */
    public String messageFor(String name) {
        return name + " " + problem;
    }
}
