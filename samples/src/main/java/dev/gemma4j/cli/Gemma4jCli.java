package dev.gemma4j.cli;

import dev.gemma4j.GemmaException;
import dev.gemma4j.spi.EngineProvider;
import dev.gemma4j.spi.Engines;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * The {@code gemma4j} command: {@code generate}, {@code chat} and {@code tokenize} subcommands.
 * Errors that gemma4j reports ({@link GemmaException}, {@link IllegalArgumentException}) become one line on
 * stderr and exit code 1; usage errors exit with 2 (picocli's default).
 */
@Command(
        name = "gemma4j",
        mixinStandardHelpOptions = true,
        versionProvider = Gemma4jCli.VersionProvider.class,
        description = "Runs Gemma language models in the JVM.",
        subcommands = {GenerateCommand.class, ChatCommand.class, TokenizeCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"",
                "Options not given on the command line fall back to system properties and the environment",
                "(gemma.engine / GEMMA_ENGINE, gemma.threads / GEMMA_THREADS, gemma.context / GEMMA_CONTEXT, ...)."})
public final class Gemma4jCli implements Runnable {
    /** Exit code of errors gemma4j reports (bad model, bad option value, missing engine, ...). */
    public static final int EXIT_ERROR = 1;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final InputStream in;

    public Gemma4jCli(InputStream in) {
        this.in = in;
    }

    /** Standard input, as the interactive commands read it (replaceable for tests). */
    InputStream in() {
        return in;
    }

    @Override
    public void run() {
        // No subcommand given: show what there is.
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing subcommand: generate, chat or tokenize");
    }

    public static void main(String[] args) {
        // The tokenizer library logs through SLF4J, which warns on stderr when no logging backend is
        // bound; a command line has none, so keep its stderr for gemma4j's own messages.
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        PrintWriter out = new PrintWriter(
                new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(
                new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        int code = newCommandLine(System.in, out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** A configured command line reading {@code in} and writing to {@code out} and {@code err}. */
    public static CommandLine newCommandLine(InputStream in, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Gemma4jCli(in));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(Gemma4jCli::handleError);
        cl.setOut(out);
        cl.setErr(err);
        return cl;
    }

    private static int handleError(Exception ex, CommandLine commandLine, ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        if (ex instanceof GemmaException || ex instanceof IllegalArgumentException
                || ex instanceof UncheckedIOException) {
            err.println("gemma4j: " + message(ex));
        } else {
            err.println("gemma4j: internal error: " + ex
                    + (verbose(parseResult) ? "" : " (run with --verbose for the stack trace)"));
        }
        if (verbose(parseResult)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return EXIT_ERROR;
    }

    private static String message(Exception ex) {
        String m = ex.getMessage();
        if (m == null || m.isBlank()) {
            return ex.getClass().getSimpleName();
        }
        // Keep the promise of one line per error.
        return m.strip().replace("\r", "").replace("\n", " ");
    }

    private static boolean verbose(ParseResult pr) {
        for (ParseResult p = pr; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** {@code --version}: the gemma4j version, the JVM, and the engines on the classpath. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            List<String> lines = new ArrayList<>();
            lines.add("gemma4j " + version());
            lines.add("JVM: " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name")
                    + ", " + System.getProperty("java.vendor") + ")");
            List<String> engines = new ArrayList<>();
            try {
                for (EngineProvider p : Engines.installed()) {
                    engines.add(p.name());
                }
            } catch (RuntimeException | LinkageError e) {
                engines.add("? (" + e + ")");
            }
            lines.add("Engines: " + (engines.isEmpty() ? "none" : String.join(", ", engines)));
            return lines.toArray(String[]::new);
        }

        static String version() {
            try (InputStream in = Gemma4jCli.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    String v = p.getProperty("version");
                    if (v != null && !v.startsWith("${")) {
                        return v;
                    }
                }
            } catch (IOException e) {
                // fall through
            }
            return "(unknown version)";
        }
    }
}
