package org.diffhmm.cli;

import java.io.PrintWriter;
import org.diffhmm.DiffhmmException;
import org.diffhmm.Diffhmm;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code diffhmm} — the command line: {@code info}, {@code bench}, {@code train}, {@code decode}.
 * Run it with {@code scripts/diffhmm} (builds on first use) or {@code java -jar java/cli/target/diffhmm-cli-*-all.jar}.
 */
@Command(name = "diffhmm", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Differentiable hidden Markov models: batched forward-backward on the CPU or a GPU, "
                + "models trained by gradient descent or EM.",
        subcommands = {InfoCommand.class, BenchCommand.class, TrainCommand.class, DecodeCommand.class,
                CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  diffhmm info",
                "  diffhmm train                       2-state HMM on the bundled English text",
                "  diffhmm train data.txt --states 4 --out run1",
                "  diffhmm decode --model run1/model.json data.txt --format json",
                "  diffhmm bench --full"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure while running (the message says why)", "2:bad usage",
                "3:bad input file (the message names the line and column)"})
public final class Main implements Runnable {
    static final int INPUT_ERROR = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        int code;
        try {
            code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        } catch (OutOfMemoryError e) {
            System.err.println("diffhmm: out of memory (" + e.getMessage() + "); give Java more (JAVA_TOOL_OPTIONS=-Xmx...) "
                    + "or use smaller inputs");
            code = 1;
        }
        System.exit(code);
    }

    /** Runs the command line with the given streams; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        final CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        // Usage errors: one line naming the option, and where to find help (exit code 2).
        cli.setParameterExceptionHandler((e, args1) -> {
            final CommandLine c = e.getCommandLine();
            c.getErr().println(c.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
            return c.getCommandSpec().exitCodeOnInvalidInput();
        });
        // Failures while running: one line, never a stack trace (exit code 3 for input files, else 1).
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof InputFileException) {
                commandLine.getErr().println("diffhmm: " + e.getMessage());
                return INPUT_ERROR;
            }
            if (e instanceof IllegalArgumentException || e instanceof DiffhmmException || e instanceof IllegalStateException) {
                commandLine.getErr().println("diffhmm: " + e.getMessage());
                return 1;
            }
            if (e instanceof java.io.IOException) {
                commandLine.getErr().println("diffhmm: " + e.getClass().getSimpleName() + ": " + Usage.reason(e));
                return 1;
            }
            commandLine.getErr().println("diffhmm: internal error, please report it: " + e);
            return 1;
        });
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"diffhmm " + Diffhmm.version()};
        }
    }
}
