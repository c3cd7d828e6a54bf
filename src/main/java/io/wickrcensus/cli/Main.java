package io.wickrcensus.cli;

import io.wickrcensus.job.run.ExitCodes;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar wickr-census.jar <command>}. */
@Command(name = "wickr-census",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Nightly, restartable snapshots of AWS Wickr networks into PostgreSQL and Parquet.",
        subcommands = {RunCommand.class, RetractCommand.class, ReportCommand.class, DemoCommand.class, DbCommand.class, BenchCommand.class, EmulatorCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (without exiting). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
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
