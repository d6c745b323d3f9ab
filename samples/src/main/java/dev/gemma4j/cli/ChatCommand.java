package dev.gemma4j.cli;

import dev.gemma4j.ChatSession;
import dev.gemma4j.GemmaException;
import dev.gemma4j.GemmaModel;
import dev.gemma4j.GenerationOptions;
import dev.gemma4j.GenerationResult;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code gemma4j chat}: an interactive conversation on stdin/stdout. One {@link ChatSession} holds the whole
 * conversation, so each turn computes only the tokens its KV cache does not already hold.
 */
@Command(
        name = "chat",
        mixinStandardHelpOptions = true,
        description = {"Chats with a model: each line on stdin is a user message, the reply streams to stdout.",
                "Commands: /reset (forget the conversation), /system TEXT (set the system prompt; /system alone "
                        + "removes it), /exit (or end of input) to quit."})
public final class ChatCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @ParentCommand
    Gemma4jCli parent;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt.")
    String system;

    @Override
    public Integer call() throws IOException {
        GenerationOptions options = sampling.builder().build();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BufferedReader in = new BufferedReader(new InputStreamReader(parent.in(), StandardCharsets.UTF_8));
        Console console = System.console();
        boolean interactive = console != null && console.isTerminal();

        try (GemmaModel model = modelOptions.load(); ChatSession session = model.newSession()) {
            if (system != null) {
                session.system(system);
            }
            err.printf(Locale.ROOT, "gemma4j chat: %s (engine %s, %d tokens of context, loaded in %d ms). "
                            + "Commands: /reset, /system TEXT, /exit.%n",
                    modelOptions.path(), model.engineName(), model.contextLength(), model.loadMillis());
            err.flush();
            while (true) {
                if (interactive) {
                    err.print("> ");
                    err.flush();
                }
                String line = in.readLine();
                if (line == null) {
                    break;
                }
                String text = line.strip();
                if (text.isEmpty()) {
                    continue;
                }
                if (text.startsWith("/")) {
                    if (!command(text, session, err)) {
                        break;
                    }
                    continue;
                }
                reply(session, text, options, out, err);
            }
        }
        return 0;
    }

    /** Runs a slash command; false means quit. */
    private static boolean command(String text, ChatSession session, PrintWriter err) {
        String name = text.split("\\s+", 2)[0];
        String arg = text.length() > name.length() ? text.substring(name.length()).strip() : "";
        switch (name) {
            case "/exit", "/quit" -> {
                return false;
            }
            case "/reset" -> {
                session.reset();
                err.println("[conversation reset]");
            }
            case "/system" -> {
                session.system(arg.isEmpty() ? null : arg);
                err.println(arg.isEmpty() ? "[system prompt removed]" : "[system prompt set; it applies from the next turn]");
            }
            default -> err.println("[unknown command " + name + "; commands: /reset, /system TEXT, /exit]");
        }
        err.flush();
        return true;
    }

    private static void reply(ChatSession session, String text, GenerationOptions options, PrintWriter out,
            PrintWriter err) {
        GenerationResult r;
        try {
            r = session.send(text, options, piece -> {
                out.print(piece);
                out.flush();
            });
        } catch (GemmaException | IllegalArgumentException | UncheckedIOException e) {
            // One failed turn (say, a context overflow) should not end the conversation.
            out.println();
            out.flush();
            err.println("gemma4j: " + e.getMessage() + " (type /reset to start over)");
            err.flush();
            return;
        }
        out.println();
        out.flush();
        err.printf(Locale.ROOT, "[%d tokens, %.1f tokens/s, finish: %s; prompt %d tokens, %d from cache]%n",
                r.usage().completionTokens(), r.timings().decodeTokensPerSecond(), r.finishReason().wireName(),
                r.usage().promptTokens(), r.usage().cachedPromptTokens());
        err.flush();
    }
}
