package io.wickrcensus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.testing.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A command line that names a command gets only that one; every other gets them all, so help and mistakes read as ever. */
class MainTest {

    record Output(int code, String out, String err) { }

    /** {@link Cli#run}, keeping the standard output too (the help goes there). */
    static Output execute(String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        try {
            Cli.Result r = Cli.run(args);
            return new Output(r.code(), o.toString(StandardCharsets.UTF_8), r.err());
        } finally {
            System.setOut(out);
        }
    }

    @Test
    void theHelpListsEveryCommandInItsOrder() {
        for (String[] args : new String[][] {{}, {"--help"}, {"help"}}) {
            Output help = execute(args);
            String text = help.out() + help.err();
            int at = -1;
            for (String command : new String[] {"run", "retract", "report", "demo", "db", "bench", "emulator", "help"}) {
                int next = text.indexOf("\n  " + command + " ");
                assertThat(next).as(String.join(" ", args) + " lists " + command + " after the one before").isGreaterThan(at);
                at = next;
            }
        }
    }

    @Test
    void helpOnACommandAndAMistakeStillKnowEveryCommand() {
        Output help = execute("help", "retract");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("Usage: wickr-census retract");

        Output mistake = execute("rn", "--network-id", "23546231");
        assertThat(mistake.code()).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(mistake.err()).startsWith("wickr-census: Unmatched arguments from index 0: 'rn'").contains("(see 'wickr-census --help')");
    }

    @Test
    void aNamedCommandRunsWithItsOwnOptions() {
        Output usage = execute("db", "--help");
        assertThat(usage.code()).isZero();
        assertThat(usage.out()).contains("Usage: wickr-census db", "--data-dir");
        Output wrong = execute("db", "--no-such-option");
        assertThat(wrong.code()).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(wrong.err()).startsWith("wickr-census: Unknown option: '--no-such-option'").contains("(see 'wickr-census db --help')");
    }
}
