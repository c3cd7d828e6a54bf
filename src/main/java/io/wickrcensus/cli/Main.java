package io.wickrcensus.cli;

import io.wickrcensus.job.run.ExitCodes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar wickr-census.jar <command>}. */
@Command(name = "wickr-census",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Nightly, restartable snapshots of AWS Wickr networks into PostgreSQL and Parquet.")
public final class Main implements Runnable {

    /**
     * The commands, in the order the help lists them. Picocli builds a command's model from its
     * annotations by reflection when the command is added, about 30 ms a command on a fast launch
     * (its classes are too old for the AppCDS archive), so a command line that names one of them
     * gets only that one; any other (none, {@code help}, {@code --help}, a mistake) gets them all and
     * {@code help}, so the help and the errors are the same as ever.
     */
    static final Map<String, Supplier<Object>> COMMANDS = commands();

    private static Map<String, Supplier<Object>> commands() {
        Map<String, Supplier<Object>> c = new LinkedHashMap<>();
        c.put("run", RunCommand::new);
        c.put("retract", RetractCommand::new);
        c.put("report", ReportCommand::new);
        c.put("demo", DemoCommand::new);
        c.put("db", DbCommand::new);
        c.put("bench", BenchCommand::new);
        c.put("emulator", EmulatorCommand::new);
        return java.util.Collections.unmodifiableMap(c);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (without exiting). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        Supplier<Object> named = args.length == 0 ? null : COMMANDS.get(args[0]);
        if (named != null) {
            cli.addSubcommand(args[0], named.get());
        } else {
            COMMANDS.forEach((name, command) -> cli.addSubcommand(name, command.get()));
            cli.addSubcommand("help", new CommandLine.HelpCommand());
        }
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof io.wickrcensus.support.SettingException setting) {
                cmd.getErr().println("wickr-census: " + SettingNames.message(setting));
                return ExitCodes.BAD_CONFIGURATION;
            }
            if (ex instanceof IllegalArgumentException) {
                cmd.getErr().println("wickr-census: " + ex.getMessage());
                return ExitCodes.BAD_CONFIGURATION;
            }
            cmd.getErr().println("wickr-census: " + ex);
            return ExitCodes.FAILED;
        });
        cli.setParameterExceptionHandler((ex, params) -> {
            ex.getCommandLine().getErr().println("wickr-census: " + ex.getMessage()
                    + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return ExitCodes.BAD_CONFIGURATION;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"wickr-census " + io.wickrcensus.support.Version.current()};
        }
    }
}
