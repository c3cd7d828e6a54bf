package io.wickrcensus.testing;

import io.wickrcensus.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line in-process and keeps what it wrote to stderr. */
public final class Cli {

    /** An exit code and the standard error output. */
    public record Result(int code, String err) { }

    private Cli() {
    }

    public static Result run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return new Result(Main.execute(args), buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }
}
